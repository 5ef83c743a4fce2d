package org.zfssync.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zfssync.testing.States;
import org.zfssync.zfs.TreeState;

class LagTest {
    private static final Job JOB = new Job("home", "tank/a", List.of("pool/a"),
            Settings.builder().recursive(true).exclude(List.of("cache")).build(), 1);

    @Test
    void theAgeOfTheNewestSourceSnapshotTheTargetHasMatchedByGuid() {
        TreeState source = States.under("tank/a").fs("tank/a").fs("tank/a/b").fs("tank/a/cache")
                .snap("tank/a", "s1", 1).snap("tank/a", "s2", 2).snap("tank/a/b", "s1", 3).build();
        TreeState target = States.under("pool/a").fs("pool/a").fs("pool/a/b")
                .snap("pool/a", "renamed", 1).build();
        long s1Created = source.get(org.zfssync.zfs.DatasetName.of("tank/a")).snapshots().get(0).creation();
        Instant now = Instant.ofEpochSecond(s1Created + 3_600);
        List<Lag> lags = Lag.compute(JOB, "pool/a", source, target, now);
        assertThat(lags).extracting(Lag::dataset).as("excluded subtrees have no lag").containsExactly("tank/a", "tank/a/b");
        assertThat(lags.get(0).replicatedAs()).as("by GUID, not name").isEqualTo("s1");
        assertThat(lags.get(0).seconds()).isEqualTo(3_600L);
        assertThat(lags.get(0).shortText()).isEqualTo("1h 0m");
        assertThat(lags.get(1).seconds()).as("never replicated").isNull();
        assertThat(lags.get(1).shortText()).isEqualTo("never");
    }

    @Test
    void shortTextScalesWithTheAge() {
        assertThat(new Lag("j", "t", "d", 42L, "s", null).shortText()).isEqualTo("42s");
        assertThat(new Lag("j", "t", "d", 300L, "s", null).shortText()).isEqualTo("5m");
        assertThat(new Lag("j", "t", "d", 90_000L, "s", null).shortText()).isEqualTo("1d 1h");
        assertThat(new Lag("j", "t", "d", null, null, "unreachable").shortText()).isEqualTo("?");
    }
}
