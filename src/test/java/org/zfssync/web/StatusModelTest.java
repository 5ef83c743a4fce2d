package org.zfssync.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusModelTest {
    private static final Instant NOW = FakeService.NOW;
    private static final Duration WARN = Duration.ofHours(1);
    private static final Duration CRITICAL = Duration.ofHours(4);

    private static TargetStatus target(Instant lastSuccess, Instant snapshotCreated) {
        return new TargetStatus("t", lastSuccess, snapshotCreated == null ? null : "s", snapshotCreated, null, null);
    }

    @Test
    void rpoIsTheAgeOfTheNewestSnapshotOnTheTarget() {
        TargetStatus t = target(NOW.minusSeconds(60), NOW.minusSeconds(5000));
        assertThat(t.rpo(NOW)).contains(Duration.ofSeconds(5000));
    }

    @Test
    void rpoFallsBackToTheLastSuccessWhenTheSnapshotTimeIsUnknown() {
        assertThat(target(NOW.minusSeconds(90), null).rpo(NOW)).contains(Duration.ofSeconds(90));
    }

    @Test
    void aTargetNeverReplicatedHasNoRpoAndAnUnknownLevel() {
        TargetStatus t = target(null, null);
        assertThat(t.rpo(NOW)).isEmpty();
        assertThat(t.level(NOW, WARN, CRITICAL)).isEqualTo(RpoLevel.UNKNOWN);
    }

    @Test
    void aSourceClockAheadNeverGivesANegativeRpo() {
        assertThat(target(null, NOW.plusSeconds(30)).rpo(NOW)).contains(Duration.ZERO);
    }

    @Test
    void levelsChangeExactlyAtTheThresholds() {
        assertThat(target(null, NOW.minus(WARN).plusSeconds(1)).level(NOW, WARN, CRITICAL)).isEqualTo(RpoLevel.OK);
        assertThat(target(null, NOW.minus(WARN)).level(NOW, WARN, CRITICAL)).isEqualTo(RpoLevel.WARN);
        assertThat(target(null, NOW.minus(CRITICAL).plusSeconds(1)).level(NOW, WARN, CRITICAL)).isEqualTo(RpoLevel.WARN);
        assertThat(target(null, NOW.minus(CRITICAL)).level(NOW, WARN, CRITICAL)).isEqualTo(RpoLevel.CRITICAL);
    }

    @Test
    void aJobShowsItsWorstTarget() {
        JobStatus job = new JobStatus("j", List.of(target(null, NOW.minusSeconds(10)), target(null, null),
                target(null, NOW.minus(WARN))), WARN, CRITICAL, null, false);
        assertThat(job.level(NOW)).isEqualTo(RpoLevel.UNKNOWN);
        JobStatus critical = new JobStatus("j", List.of(target(null, null), target(null, NOW.minus(CRITICAL))),
                WARN, CRITICAL, null, false);
        assertThat(critical.level(NOW)).isEqualTo(RpoLevel.CRITICAL);
        assertThat(new JobStatus("j", List.of(), WARN, CRITICAL, null, false).level(NOW)).isEqualTo(RpoLevel.UNKNOWN);
    }

    @Test
    void criticalShorterThanWarnIsRejectedNamingTheJob() {
        assertThatThrownBy(() -> new JobStatus("home", List.of(), CRITICAL, WARN, null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("job home: rpo-critical");
    }

    @Test
    void etaIsTheRemainderAtTheCurrentRate() {
        RunningTransfer t = new RunningTransfer("j", "s", "t", "d", 100, 1100, 10, NOW);
        assertThat(t.eta()).contains(Duration.ofSeconds(100));
        assertThat(t.fractionDone()).hasValueSatisfying(f -> assertThat(f).isCloseTo(100 / 1100.0, org.assertj.core.data.Offset.offset(1e-9)));
        assertThat(new RunningTransfer("j", "s", "t", "d", 2000, 1100, 10, NOW).eta()).contains(Duration.ZERO);
        assertThat(new RunningTransfer("j", "s", "t", "d", 100, 0, 10, NOW).eta()).isEmpty();
        assertThat(new RunningTransfer("j", "s", "t", "d", 100, 1100, 0, NOW).eta()).isEmpty();
    }

    @Test
    void unitsReadLikeAPersonWouldWriteThem() {
        assertThat(Units.bytes(512)).isEqualTo("512 B");
        assertThat(Units.bytes(3L << 30)).isEqualTo("3.0 GiB");
        assertThat(Units.rate(12.0 * (1 << 20))).isEqualTo("12.0 MiB/s");
        assertThat(Units.duration(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Units.duration(Duration.ofSeconds(200))).isEqualTo("3m 20s");
        assertThat(Units.duration(Duration.ofMinutes(125))).isEqualTo("2h 05m");
        assertThat(Units.duration(Duration.ofHours(76))).isEqualTo("3d 4h");
    }
}
