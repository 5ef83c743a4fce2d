package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zfssync.testing.States;
import org.zfssync.testing.Tokens;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.SendFlags;

/** The decision after every stream: what the target holds now decides, never what the last stream claimed. */
class NextStreamTest {
    private static final long GOAL = 30;
    private static final long S1 = 0x33d02df53b84cb1eL;

    private static DatasetState source() {
        return States.under("tank/a").fs("tank/a").snap("tank/a", "s1", S1).snap("tank/a", "u1", 20)
                .snap("tank/a", "goal", GOAL).build().get(DatasetName.of("tank/a"));
    }

    private static NextStream.Next decide(States target) {
        DatasetState t = target == null ? null : target.build().get(DatasetName.of("backup/a"));
        return NextStream.decide(source(), t, GOAL, "goal", SendFlags.none(), false, null);
    }

    @Test
    void doneOnlyWhenTheTargetHoldsTheGoalByGuid() {
        assertThat(decide(States.under("backup/a").fs("backup/a").snap("backup/a", "renamed", GOAL)))
                .isInstanceOf(NextStream.Done.class);
        assertThat(decide(States.under("backup/a").fs("backup/a").snap("backup/a", "goal", 999)))
                .isInstanceOf(NextStream.Stuck.class);
    }

    @Test
    void aResumedIntermediateThatArrivedAloneContinuesFromItToTheGoal() {
        // -I s1..goal was cut inside u1; the resume finished u1 only: the rest is still to send.
        NextStream.Next next = decide(States.under("backup/a").fs("backup/a").snap("backup/a", "s1", S1)
                .snap("backup/a", "u1", 20));
        assertThat(next).isEqualTo(new NextStream.Send("tank/a@u1", "goal", true));
    }

    @Test
    void aBookmarkIsTheBaseWhenTheSnapshotIsGoneAndThenNoIntermediatesCanBeSent() {
        DatasetState src = States.under("tank/a").fs("tank/a").bookmark("tank/a", "zfs-sync_t1_cursor_0000000000000014", 20)
                .snap("tank/a", "goal", GOAL).build().get(DatasetName.of("tank/a"));
        DatasetState t = States.under("backup/a").fs("backup/a").snap("backup/a", "u1", 20).build()
                .get(DatasetName.of("backup/a"));
        assertThat(NextStream.decide(src, t, GOAL, "goal", SendFlags.none(), false, null))
                .isEqualTo(new NextStream.Send("tank/a#zfs-sync_t1_cursor_0000000000000014", "goal", false));
    }

    @Test
    void aTokenThatFitsIsResumedAndOneThatDoesNotIsDiscardedSayingWhy() {
        States withToken = States.under("backup/a").dataset("backup/a", 0, false, Optional.of(Tokens.FULL_S1));
        assertThat(decide(withToken)).isInstanceOf(NextStream.Resume.class);
        DatasetState t = withToken.build().get(DatasetName.of("backup/a"));
        NextStream.Next raw = NextStream.decide(source(), t, GOAL, "goal", SendFlags.none().withRaw(true), false, null);
        assertThat(raw).isInstanceOfSatisfying(NextStream.Abort.class, a -> assertThat(a.reason())
                .contains("discarding the partial receive of tok/a@s1", "non-raw send and this run sends raw"));
    }

    @Test
    void theEncryptedDatasetsTokenWithoutRawIsNeverResumed() {
        DatasetState encrypted = States.under("tank/a").fs("tank/a", 0, true).snap("tank/a", "s1", S1)
                .snap("tank/a", "goal", GOAL).build().get(DatasetName.of("tank/a"));
        DatasetState t = States.under("backup/a").dataset("backup/a", 0, false, Optional.of(Tokens.FULL_S1)).build()
                .get(DatasetName.of("backup/a"));
        // Even when the run's own flags say non-raw, an encrypted source means raw.
        assertThat(NextStream.decide(encrypted, t, GOAL, "goal", SendFlags.none(), false, null))
                .isInstanceOfSatisfying(NextStream.Abort.class, a -> assertThat(a.reason()).contains("plaintext"));
    }

    @Test
    void aTargetWithSnapshotsTheSourceLacksIsARefusalNotARetry() {
        NextStream.Next next = decide(States.under("backup/a").fs("backup/a").snap("backup/a", "s1", S1)
                .snap("backup/a", "x", 77));
        assertThat(next).isInstanceOfSatisfying(NextStream.Stuck.class, s -> {
            assertThat(s.diverged()).isTrue();
            assertThat(s.reason()).contains("@x");
        });
    }

    @Test
    void aMissingTargetGetsAFullSendOnlyWhereThePlanMadeOne() {
        assertThat(decide(null)).isInstanceOfSatisfying(NextStream.Stuck.class, s -> assertThat(s.diverged()).isFalse());
        assertThat(NextStream.decide(source(), null, GOAL, "goal", SendFlags.none(), false, "s1"))
                .isEqualTo(new NextStream.Send(null, "s1", false));
    }

    @Test
    void noStreamSendsOnlyTheGoal() {
        DatasetState t = States.under("backup/a").fs("backup/a").snap("backup/a", "s1", S1).build()
                .get(DatasetName.of("backup/a"));
        assertThat(NextStream.decide(source(), t, GOAL, "goal", SendFlags.none(), true, null))
                .isEqualTo(new NextStream.Send("tank/a@s1", "goal", false));
    }
}
