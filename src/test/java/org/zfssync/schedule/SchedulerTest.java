package org.zfssync.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.zfssync.schedule.ScheduleTest.BERLIN;
import static org.zfssync.schedule.ScheduleTest.berlin;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.zfssync.testing.FakeClock;

class SchedulerTest {
    static final Windows ALWAYS = Windows.always(0);

    static Scheduler.Task every(String key, Duration d, Instant lastStart) {
        return new Scheduler.Task(key, Schedule.every(d), ALWAYS, lastStart);
    }

    @Test
    void anEveryTaskNeverStartedIsDueAtOnceThenEveryPeriodAfterItsStart() {
        FakeClock clock = new FakeClock(berlin("2026-06-01T10:00"));
        Scheduler s = new Scheduler(List.of(every("home", Duration.ofMinutes(15), null)), clock.instant());
        Scheduler.Decision d = s.tick(clock.instant(), Set.of());
        assertThat(d.due()).containsExactly("home");
        assertThat(d.wakeAt()).contains(berlin("2026-06-01T10:15"));
        clock.advance(Duration.ofMinutes(14));
        assertThat(s.tick(clock.instant(), Set.of()).due()).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(s.tick(clock.instant(), Set.of()).due()).containsExactly("home");
    }

    @Test
    void aKnownLastStartIsHonouredAfterARestart() {
        Instant now = berlin("2026-06-01T10:00");
        Scheduler s = new Scheduler(List.of(every("home", Duration.ofHours(1), now.minus(Duration.ofMinutes(20)))), now);
        Scheduler.Decision d = s.tick(now, Set.of());
        assertThat(d.due()).isEmpty();
        assertThat(d.wakeAt()).contains(berlin("2026-06-01T10:40"));
    }

    @Test
    void aCronTaskWaitsForItsFirstTimeAndMissedSlotsRunOnceAtStart() {
        Instant noon = berlin("2026-06-01T12:00");
        Scheduler fresh = new Scheduler(List.of(new Scheduler.Task("db", Schedule.cron("0 2 * * *", BERLIN), ALWAYS,
                null)), noon);
        assertThat(fresh.tick(noon, Set.of()).due()).isEmpty();
        assertThat(fresh.nextSlot("db")).contains(berlin("2026-06-02T02:00"));
        // Last started three days ago: the missed nights run once, not three times.
        Scheduler behind = new Scheduler(List.of(new Scheduler.Task("db", Schedule.cron("0 2 * * *", BERLIN), ALWAYS,
                berlin("2026-05-29T02:00"))), noon);
        assertThat(behind.tick(noon, Set.of()).due()).containsExactly("db");
        assertThat(behind.tick(noon, Set.of()).due()).isEmpty();
        assertThat(behind.nextSlot("db")).contains(berlin("2026-06-02T02:00"));
    }

    @Test
    void cronAndEverySideBySideWakeAtTheEarlierOfTheirSlots() {
        Instant t = berlin("2026-06-01T01:50");
        Scheduler s = new Scheduler(List.of(
                new Scheduler.Task("db", Schedule.cron("0 2 * * *", BERLIN), ALWAYS, null),
                every("home", Duration.ofHours(1), t)), t);
        Scheduler.Decision d = s.tick(t, Set.of());
        assertThat(d.due()).isEmpty();
        assertThat(d.wakeAt()).contains(berlin("2026-06-01T02:00"));
        assertThat(s.tick(berlin("2026-06-01T02:00"), Set.of()).due()).containsExactly("db");
        assertThat(s.tick(berlin("2026-06-01T02:50"), Set.of()).due()).containsExactly("home");
    }

    @Test
    void aRunOverlappingItsNextSlotsSkipsThemAndCountsEach() {
        FakeClock clock = new FakeClock(berlin("2026-06-01T10:00"));
        Scheduler s = new Scheduler(List.of(every("vms", Duration.ofMinutes(10), null),
                every("home", Duration.ofMinutes(10), null)), clock.instant());
        assertThat(s.tick(clock.instant(), Set.of()).due()).containsExactly("vms", "home");
        Set<String> running = new HashSet<>(Set.of("vms", "home"));
        running.remove("home"); // home finished quickly; vms runs 35 minutes
        clock.advance(Duration.ofMinutes(10));
        Scheduler.Decision d = s.tick(clock.instant(), running);
        assertThat(d.due()).containsExactly("home");
        assertThat(d.skipped()).isEqualTo(Map.of("vms", 1));
        clock.advance(Duration.ofMinutes(21)); // 10:31: the 10:20 and 10:30 slots passed while running
        d = s.tick(clock.instant(), running);
        assertThat(d.skipped()).isEqualTo(Map.of("vms", 2));
        assertThat(s.skippedCount("vms")).isEqualTo(3);
        assertThat(s.skippedCount("home")).isZero();
        assertThat(s.nextSlot("vms")).as("the next slot after now, not a pile of catch-ups")
                .contains(berlin("2026-06-01T10:40"));
        running.remove("vms");
        clock.set(berlin("2026-06-01T10:40"));
        d = s.tick(clock.instant(), running);
        assertThat(d.due()).contains("vms");
        assertThat(d.skipped()).isEmpty();
    }

    @Test
    void aSlotOutsideTheWindowWaitsForTheOpeningAndRunsThereOnce() {
        Windows nights = new Windows(List.of(new Window(Set.of(), LocalTime.of(6, 0), LocalTime.of(22, 0), 0, false)),
                BERLIN, 0);
        FakeClock clock = new FakeClock(berlin("2026-06-01T12:00"));
        Scheduler s = new Scheduler(List.of(new Scheduler.Task("vms", Schedule.every(Duration.ofHours(1)), nights,
                null)), clock.instant());
        int started = 0;
        for (int minute = 0; minute < 24 * 60; minute++, clock.advance(Duration.ofMinutes(1))) {
            Scheduler.Decision d = s.tick(clock.instant(), Set.of());
            if (!d.due().isEmpty()) {
                started++;
                assertThat(nights.mayStart(clock.instant())).as("started at %s", clock.instant().atZone(BERLIN)).isTrue();
            }
            if (minute == 0) {
                assertThat(d.wakeAt()).as("wake at the opening").contains(berlin("2026-06-01T22:00"));
            }
        }
        // 22:00, 23:00, ... 05:00: eight hourly starts in the night, none by day.
        assertThat(started).isEqualTo(8);
    }

    @Test
    void aRunningTaskWakesTheDaemonWhereItsBandwidthChanges() {
        Windows office = WindowsTest.OFFICE_HOURS;
        Instant t = berlin("2026-06-01T07:00");
        Scheduler s = new Scheduler(List.of(new Scheduler.Task("vms", Schedule.every(Duration.ofHours(6)), office,
                t)), t);
        assertThat(s.tick(t, Set.of("vms")).wakeAt()).contains(berlin("2026-06-01T08:00"));
        assertThat(s.tick(t, Set.of()).wakeAt()).as("idle: only its slot matters").contains(berlin("2026-06-01T13:00"));
    }

    @Test
    void aReloadKeepsUnchangedTasksAndResetsChangedOnes() {
        Instant t = berlin("2026-06-01T10:00");
        Scheduler s = new Scheduler(List.of(every("a", Duration.ofHours(1), null), every("b", Duration.ofHours(1), null)), t);
        s.tick(t, Set.of());
        s.tick(t.plus(Duration.ofHours(1)), Set.of("a"));
        assertThat(s.skippedCount("a")).isEqualTo(1);
        Instant later = t.plus(Duration.ofMinutes(70));
        s.replace(List.of(every("a", Duration.ofHours(1), null), every("b", Duration.ofHours(2), t),
                every("c", Duration.ofHours(1), null)), later);
        assertThat(s.skippedCount("a")).as("unchanged: kept").isEqualTo(1);
        assertThat(s.nextSlot("a")).contains(berlin("2026-06-01T12:00"));
        assertThat(s.nextSlot("b")).as("changed: from its last start").contains(berlin("2026-06-01T12:00"));
        assertThat(s.nextSlot("c")).as("new: at once").contains(later);
        s.replace(List.of(every("c", Duration.ofHours(1), null)), later);
        assertThat(s.nextSlot("a")).isEmpty();
        assertThat(s.tick(later, Set.of()).due()).containsExactly("c");
    }

    @Test
    void noTasksNoWake() {
        Scheduler s = new Scheduler(List.of(), Instant.EPOCH);
        assertThat(s.tick(Instant.EPOCH, Set.of())).isEqualTo(new Scheduler.Decision(List.of(), Map.of(),
                java.util.Optional.empty()));
    }
}
