package org.zfssync.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SnapshotScheduleTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    @Test
    void parsesEveryUnit() {
        assertThat(SnapshotSchedule.parse("90s").every()).isEqualTo(Duration.ofSeconds(90));
        assertThat(SnapshotSchedule.parse("15m").every()).isEqualTo(Duration.ofMinutes(15));
        assertThat(SnapshotSchedule.parse("1h").every()).isEqualTo(Duration.ofHours(1));
        assertThat(SnapshotSchedule.parse("2d").every()).isEqualTo(Duration.ofDays(2));
        assertThat(SnapshotSchedule.parse("1w").every()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void rejectsWhatIsNotAnInterval() {
        assertThatThrownBy(() -> SnapshotSchedule.parse("hourly")).hasMessageContaining("e.g. 15m");
        assertThatThrownBy(() -> SnapshotSchedule.parse("10s")).hasMessageContaining("at least 1m");
    }

    @Test
    void dueWithoutAnyAndOnceTheNewestIsOldEnough() {
        SnapshotSchedule hourly = SnapshotSchedule.parse("1h");
        assertThat(hourly.isDue(Optional.empty(), NOW)).isTrue();
        assertThat(hourly.isDue(Optional.of(NOW.minus(Duration.ofMinutes(30))), NOW)).isFalse();
        assertThat(hourly.isDue(Optional.of(NOW.minus(Duration.ofMinutes(61))), NOW)).isTrue();
    }

    @Test
    void aTimerFiringAFewSecondsEarlyStillTakesIt() {
        SnapshotSchedule hourly = SnapshotSchedule.parse("1h");
        assertThat(hourly.isDue(Optional.of(NOW.minus(Duration.ofMinutes(60)).plusSeconds(10)), NOW)).isTrue();
        assertThat(hourly.isDue(Optional.of(NOW.minus(Duration.ofMinutes(59))), NOW)).isFalse();
    }
}
