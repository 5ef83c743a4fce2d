package org.zfssync.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    static Instant berlin(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(BERLIN).toInstant();
    }

    @Test
    void everyCountsFromTheLastStartOnTheInstantLine() {
        Schedule s = Schedule.every(Duration.ofHours(1));
        // 01:30 CET + 1h is 03:30 CEST on the night clocks go forward: still one real hour.
        Instant before = berlin("2026-03-29T01:30");
        assertThat(s.next(before)).isEqualTo(before.plusSeconds(3_600));
        assertThat(s.next(before).atZone(BERLIN).toLocalTime()).hasToString("03:30");
        assertThat(s.first(before)).as("never started: due at once").isEqualTo(before);
    }

    @Test
    void everyShorterThanAMinuteIsRefused() {
        assertThatThrownBy(() -> Schedule.every(Duration.ofSeconds(30))).hasMessageContaining("at least 1m");
    }

    @Test
    void cronTimesAreWallClockTimesInTheZone() {
        Schedule s = Schedule.cron("0 2 * * *", BERLIN);
        assertThat(s.next(berlin("2026-06-01T12:00"))).isEqualTo(berlin("2026-06-02T02:00"));
        assertThat(s.next(berlin("2026-06-02T02:00"))).as("strictly after").isEqualTo(berlin("2026-06-03T02:00"));
        assertThat(s.first(berlin("2026-06-02T02:00"))).as("first: from start on").isEqualTo(berlin("2026-06-02T02:00"));
        assertThat(s.first(berlin("2026-06-02T02:00:01"))).isEqualTo(berlin("2026-06-03T02:00"));
    }

    @Test
    void cronEveryFourHoursAcrossTheSpringForwardNight() {
        Schedule s = Schedule.cron("0 */4 * * *", BERLIN);
        Instant t = berlin("2026-03-29T00:00");
        Instant next = s.next(t);
        // 04:00 CEST is only three real hours after 00:00 CET: cron reads the wall clock.
        assertThat(next.atZone(BERLIN).toLocalDateTime()).hasToString("2026-03-29T04:00");
        assertThat(Duration.between(t, next)).isEqualTo(Duration.ofHours(3));
    }

    @Test
    void cronAtATimeTheSpringForwardSkipsRunsThatDayAtMostOnce() {
        Schedule s = Schedule.cron("30 2 * * *", BERLIN);
        Instant a = s.next(berlin("2026-03-28T12:00"));
        Instant b = s.next(a);
        assertThat(a).isAfter(berlin("2026-03-28T12:00"));
        assertThat(b).isAfter(a);
        assertThat(b.atZone(BERLIN).toLocalDate()).as("next run on the following day")
                .isAfterOrEqualTo(a.atZone(BERLIN).toLocalDate().plusDays(1));
    }

    @Test
    void cronInTheRepeatedHourOfTheFallBackNightIsStillStrictlyIncreasing() {
        Schedule s = Schedule.cron("30 2 * * *", BERLIN);
        Instant a = s.next(berlin("2026-10-25T00:00"));
        assertThat(a.atZone(BERLIN).toLocalTime()).hasToString("02:30");
        Instant b = s.next(a);
        assertThat(b).isAfter(a);
        ZonedDateTime bz = b.atZone(BERLIN);
        // Once per day: a 02:30 again in the repeated hour would be a second run that night.
        assertThat(bz.toLocalDate()).hasToString("2026-10-26");
    }

    @Test
    void aBadCronExpressionSaysHowToWriteOne() {
        assertThatThrownBy(() -> Schedule.cron("every day", BERLIN))
                .hasMessageStartingWith("invalid cron 'every day'")
                .hasMessageContaining("five fields");
        assertThatThrownBy(() -> Schedule.cron("0 25 * * *", BERLIN)).hasMessageContaining("invalid cron");
    }

    @Test
    void durationsParseAndFormat() {
        assertThat(DurationText.parse("x", "15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(DurationText.parse("x", " 90d ")).isEqualTo(Duration.ofDays(90));
        assertThat(DurationText.parse("x", "1w")).isEqualTo(Duration.ofDays(7));
        assertThat(DurationText.format(Duration.ofHours(6))).isEqualTo("6h");
        assertThat(DurationText.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThatThrownBy(() -> DurationText.parse("rpo-warn", "soon"))
                .hasMessage("invalid rpo-warn 'soon': use a number and a unit, s m h d or w (e.g. 15m, 1h, 1d)");
        assertThatThrownBy(() -> DurationText.parseAtLeast("prune-every", "10s", Duration.ofMinutes(1)))
                .hasMessage("prune-every must be at least 1m, got '10s'");
    }
}
