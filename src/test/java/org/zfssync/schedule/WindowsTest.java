package org.zfssync.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.zfssync.schedule.ScheduleTest.BERLIN;
import static org.zfssync.schedule.ScheduleTest.berlin;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.zfssync.testing.FakeClock;

class WindowsTest {
    static final long MB20 = 20L << 20;
    static final Set<DayOfWeek> WEEKDAYS = Window.parseDays("mon-fri");

    /** "20M on weekdays 08:00-18:00, unlimited otherwise" (2026-06-01 is a Monday). */
    static final Windows OFFICE_HOURS = new Windows(List.of(
            new Window(WEEKDAYS, LocalTime.of(8, 0), LocalTime.of(18, 0), MB20, true)), BERLIN, 0);

    /** Replication may start only from 22:00 to 06:00, any day. */
    static final Windows NIGHTS_ONLY = new Windows(List.of(
            new Window(Set.of(), LocalTime.of(6, 0), LocalTime.of(22, 0), 0, false)), BERLIN, 0);

    @Test
    void bandwidthSwitchesExactlyAtTheBoundaryAsTheClockMoves() {
        FakeClock clock = new FakeClock(berlin("2026-06-01T07:59:59"));
        assertThat(OFFICE_HOURS.bwlimitAt(clock.instant())).as("before 08:00: unlimited").isZero();
        Instant change = OFFICE_HOURS.nextChange(clock.instant()).orElseThrow();
        assertThat(change).isEqualTo(berlin("2026-06-01T08:00"));
        clock.set(change.minusNanos(1));
        assertThat(OFFICE_HOURS.bwlimitAt(clock.instant())).isZero();
        clock.set(change);
        assertThat(OFFICE_HOURS.bwlimitAt(clock.instant())).as("at 08:00 sharp").isEqualTo(MB20);
        assertThat(OFFICE_HOURS.nextChange(clock.instant())).contains(berlin("2026-06-01T18:00"));
        clock.set(berlin("2026-06-01T18:00"));
        assertThat(OFFICE_HOURS.bwlimitAt(clock.instant())).as("18:00 is outside").isZero();
    }

    @Test
    void theWeekendIsUnlimitedAndFridayEveningLooksAheadToMonday() {
        assertThat(OFFICE_HOURS.bwlimitAt(berlin("2026-06-06T12:00"))).as("Saturday").isZero();
        assertThat(OFFICE_HOURS.nextChange(berlin("2026-06-05T18:00"))).contains(berlin("2026-06-08T08:00"));
    }

    @Test
    void onlyAJobWithALimitSomewhereIsEverLimited() {
        assertThat(OFFICE_HOURS.everLimits()).isTrue();
        assertThat(NIGHTS_ONLY.everLimits()).as("windows that only hold starts back").isFalse();
        assertThat(Windows.always(0).everLimits()).isFalse();
        assertThat(Windows.always(5_000).everLimits()).isTrue();
    }

    @Test
    void aWindowWithoutItsOwnLimitUsesTheJobs() {
        Windows w = new Windows(List.of(new Window(Set.of(), LocalTime.of(1, 0), LocalTime.of(2, 0), 0, false)),
                BERLIN, 5_000);
        assertThat(w.bwlimitAt(berlin("2026-06-01T01:30"))).isEqualTo(5_000);
        assertThat(w.bwlimitAt(berlin("2026-06-01T12:00"))).isEqualTo(5_000);
        assertThat(w.nextChange(berlin("2026-06-01T00:00"))).as("only mayStart changes").contains(berlin("2026-06-01T01:00"));
    }

    @Test
    void noStartOutsideTheWindowMinuteByMinuteOverAWeek() {
        FakeClock clock = new FakeClock(berlin("2026-06-01T00:00"));
        int starts = 0;
        for (int minute = 0; minute < 7 * 24 * 60; minute++, clock.advance(Duration.ofMinutes(1))) {
            int hour = clock.instant().atZone(BERLIN).getHour();
            boolean night = hour >= 22 || hour < 6;
            assertThat(NIGHTS_ONLY.mayStart(clock.instant())).as("at %s", clock.instant().atZone(BERLIN))
                    .isEqualTo(night);
            starts += NIGHTS_ONLY.mayStart(clock.instant()) ? 1 : 0;
        }
        assertThat(starts).isEqualTo(7 * 8 * 60);
    }

    @Test
    void anOvernightWindowRunsPastMidnightIntoTheNextDay() {
        // Only Friday night: 22:00 Friday to 06:00 Saturday.
        Windows fridayNight = new Windows(List.of(new Window(EnumSet.of(DayOfWeek.FRIDAY), LocalTime.of(22, 0),
                LocalTime.of(6, 0), 1_000, true)), BERLIN, 0);
        assertThat(fridayNight.bwlimitAt(berlin("2026-06-05T21:59"))).isZero();
        assertThat(fridayNight.bwlimitAt(berlin("2026-06-05T22:00"))).isEqualTo(1_000);
        assertThat(fridayNight.bwlimitAt(berlin("2026-06-06T05:59"))).as("Saturday morning").isEqualTo(1_000);
        assertThat(fridayNight.bwlimitAt(berlin("2026-06-06T06:00"))).isZero();
        assertThat(fridayNight.bwlimitAt(berlin("2026-06-06T23:00"))).as("Saturday night is not Friday's").isZero();
        assertThat(fridayNight.nextChange(berlin("2026-06-05T23:00"))).contains(berlin("2026-06-06T06:00"));
    }

    @Test
    void theFirstListedWindowThatCoversAnInstantDecides() {
        Windows w = new Windows(List.of(
                new Window(Set.of(), LocalTime.of(12, 0), LocalTime.of(13, 0), 0, false),
                new Window(Set.of(), LocalTime.of(8, 0), LocalTime.of(18, 0), MB20, true)), BERLIN, 0);
        assertThat(w.mayStart(berlin("2026-06-01T12:30"))).isFalse();
        assertThat(w.bwlimitAt(berlin("2026-06-01T12:30"))).as("the lunch window has no limit of its own").isZero();
        assertThat(w.mayStart(berlin("2026-06-01T13:00"))).isTrue();
        assertThat(w.bwlimitAt(berlin("2026-06-01T13:00"))).isEqualTo(MB20);
    }

    @Test
    void windowsAreReadOnTheWallClockAcrossDaylightSavingChanges() {
        // 08:00 local is 07:00Z in winter and 06:00Z in summer: the window follows the wall clock.
        assertThat(OFFICE_HOURS.nextChange(Instant.parse("2026-03-27T12:00:00Z")))
                .contains(Instant.parse("2026-03-27T17:00:00Z"));
        assertThat(OFFICE_HOURS.nextChange(Instant.parse("2026-03-28T12:00:00Z")))
                .as("the Monday after clocks went forward").contains(Instant.parse("2026-03-30T06:00:00Z"));
        // A window that starts in the skipped hour opens when the clocks jump (03:00 CEST).
        Windows gap = new Windows(List.of(new Window(Set.of(), LocalTime.of(2, 30), LocalTime.of(4, 0), 7, true)),
                BERLIN, 0);
        assertThat(gap.nextChange(berlin("2026-03-29T01:00"))).contains(Instant.parse("2026-03-29T01:30:00Z"));
        assertThat(gap.bwlimitAt(Instant.parse("2026-03-29T01:30:00Z"))).isEqualTo(7);
        // On the fall-back night an 02:00-03:00 window runs from the first 02:00 to 03:00 CET: both
        // passes of the repeated hour, two real hours.
        Windows repeated = new Windows(List.of(new Window(Set.of(), LocalTime.of(2, 0), LocalTime.of(3, 0), 7, true)),
                BERLIN, 0);
        assertThat(repeated.bwlimitAt(Instant.parse("2026-10-25T00:30:00Z"))).as("02:30 CEST").isEqualTo(7);
        assertThat(repeated.bwlimitAt(Instant.parse("2026-10-25T01:30:00Z"))).as("02:30 CET").isEqualTo(7);
        assertThat(repeated.nextChange(Instant.parse("2026-10-25T00:30:00Z")))
                .contains(Instant.parse("2026-10-25T02:00:00Z"));
    }

    @Test
    void nextStartFindsTheOpeningAndNoWindowsNeverChange() {
        assertThat(NIGHTS_ONLY.nextStart(berlin("2026-06-01T12:00"))).contains(berlin("2026-06-01T22:00"));
        assertThat(NIGHTS_ONLY.nextStart(berlin("2026-06-01T23:00"))).contains(berlin("2026-06-01T23:00"));
        Windows none = Windows.always(0);
        assertThat(none.mayStart(berlin("2026-06-01T12:00"))).isTrue();
        assertThat(none.nextChange(berlin("2026-06-01T12:00"))).isEmpty();
        Windows never = new Windows(List.of(new Window(Set.of(), LocalTime.MIDNIGHT, LocalTime.MIDNIGHT, 0, false)),
                BERLIN, 0);
        assertThat(never.mayStart(berlin("2026-06-01T12:00"))).as("equal ends: the whole day").isFalse();
        assertThat(never.nextStart(berlin("2026-06-01T12:00"))).isEmpty();
    }

    @Test
    void daysAndTimesParseWithClearErrors() {
        assertThat(Window.parseDays("mon-fri")).containsExactly(DayOfWeek.MONDAY, DayOfWeek.TUESDAY,
                DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY);
        assertThat(Window.parseDays("fri-mon")).containsExactlyInAnyOrder(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY,
                DayOfWeek.SUNDAY, DayOfWeek.MONDAY);
        assertThat(Window.parseDays("Sat, sunday")).containsExactlyInAnyOrder(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
        assertThat(Window.parseDays(null)).hasSize(7);
        assertThatThrownBy(() -> Window.parseDays("weekdays")).hasMessageStartingWith("invalid days 'weekdays': use mon");
        assertThatThrownBy(() -> Window.parseDays("mon-tue-wed")).hasMessageStartingWith("invalid days");
        assertThat(Window.parseTime("from", "8:05")).isEqualTo(LocalTime.of(8, 5));
        assertThat(Window.parseTime("to", "24:00")).isEqualTo(LocalTime.MIDNIGHT);
        assertThatThrownBy(() -> Window.parseTime("from", "25:00")).hasMessageContaining("hours 0-23");
        assertThatThrownBy(() -> Window.parseTime("to", "6pm")).hasMessage("invalid to '6pm': use HH:MM, quoted (e.g. \"08:00\")");
    }
}
