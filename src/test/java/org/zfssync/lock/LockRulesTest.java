package org.zfssync.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zfssync.replication.Endpoint;
import org.zfssync.zfs.DatasetName;

/** When two runs may not run at once: a pure function of what they declared. */
class LockRulesTest {
    private static RunClaim sync(String target, boolean recursive) {
        return RunClaim.sync(Endpoint.parse(target), recursive, "zfs-sync sync x " + target);
    }

    private static Optional<Overlap> conflict(RunClaim a, RunClaim b) {
        Optional<Overlap> ab = a.conflictWith(b);
        // The rule is symmetric: whichever run comes second is refused.
        assertThat(b.conflictWith(a).isPresent()).as("symmetric").isEqualTo(ab.isPresent());
        return ab;
    }

    @Test
    void theSameDatasetConflictsWithOrWithoutRecursion() {
        assertThat(conflict(sync("nas:pool/b", false), sync("nas:pool/b", false)))
                .contains(new Overlap.SameTree(new LockTarget("nas", DatasetName.of("pool/b"), false),
                        new LockTarget("nas", DatasetName.of("pool/b"), false)));
        assertThat(conflict(sync("pool/b", true), sync("pool/b", false))).isPresent();
    }

    @Test
    void aRecursiveAncestorConflictsWithEverythingBelowIt() {
        assertThat(conflict(sync("nas:pool/b", true), sync("nas:pool/b/home/alice", false))).isPresent();
        assertThat(conflict(sync("nas:pool/b/home", true), sync("nas:pool/b", true))).isPresent();
    }

    @Test
    void aNonRecursiveAncestorCoversOnlyItself() {
        assertThat(conflict(sync("nas:pool/b", false), sync("nas:pool/b/home", true))).isEmpty();
        assertThat(conflict(sync("nas:pool/b", false), sync("nas:pool/b/home", false))).isEmpty();
    }

    @Test
    void aNameThatOnlyStartsLikeAnotherIsNotBelowIt() {
        assertThat(conflict(sync("nas:pool/b", true), sync("nas:pool/backup", true))).isEmpty();
    }

    @Test
    void differentHostsOrPoolsNeverConflict() {
        assertThat(conflict(sync("nas:pool/b", true), sync("other:pool/b", true))).isEmpty();
        assertThat(conflict(sync("pool/b", true), sync("nas:pool/b", true))).as("local vs remote").isEmpty();
        assertThat(conflict(sync("nas:pool/b", true), sync("nas:tank/b", true))).isEmpty();
        assertThat(conflict(sync("nas:pool", true), sync("nas:pool2/b", true))).isEmpty();
    }

    @Test
    void theSameJobConflictsEvenWithNoTargetInCommon() {
        RunClaim a = new RunClaim(Optional.of("home"), "zfs-sync run home", List.of());
        RunClaim b = new RunClaim(Optional.of("home"), "zfs-sync prune home",
                List.of(new LockTarget("nas", DatasetName.of("pool/x"), true)));
        assertThat(conflict(a, b)).contains(new Overlap.SameJob("home"));
        assertThat(conflict(a, new RunClaim(Optional.of("vms"), "zfs-sync run vms", List.of()))).isEmpty();
        assertThat(conflict(a, sync("nas:pool/x", true))).as("a sync has no job name").isEmpty();
    }

    @Test
    void aJobConflictsThroughAnyOfItsTargets() {
        RunClaim job = new RunClaim(Optional.of("home"), "zfs-sync run home", List.of(
                new LockTarget("a", DatasetName.of("pool/home"), true),
                new LockTarget("b", DatasetName.of("pool/home"), true)));
        assertThat(conflict(job, sync("b:pool/home/alice", false)))
                .contains(new Overlap.SameTree(new LockTarget("b", DatasetName.of("pool/home"), true),
                        new LockTarget("b", DatasetName.of("pool/home/alice"), false)));
    }

    @Test
    void theLockFileSaysEverythingTheRulesNeed() {
        RunClaim claim = new RunClaim(Optional.of("home"), "zfs-sync run home", List.of(
                new LockTarget("backup@nas", DatasetName.of("pool/my home"), true),
                new LockTarget("", DatasetName.of("pool/local"), false)));
        Holder holder = new Holder(4242, Instant.parse("2026-11-24T10:53:00Z"), claim);
        assertThat(Holder.parse(holder.text())).isEqualTo(holder);
        assertThat(Holder.parse("pid 7\nfuture-key x\ntarget nas\tpool/a\trecursive\ntarget broken\n").claim()
                .targets()).as("unknown and broken lines are skipped, the rest is kept")
                .containsExactly(new LockTarget("nas", DatasetName.of("pool/a"), true));
    }
}
