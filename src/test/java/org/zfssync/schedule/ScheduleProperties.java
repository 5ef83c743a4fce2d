package org.zfssync.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

class ScheduleProperties {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    /** 2026 and 2027, DST changes included. */
    private static final long FROM = 1_767_225_600L; // 2026-01-01T00:00:00Z
    private static final long TO = 1_830_297_600L; // 2028-01-01T00:00:00Z

    @Property
    void cronNextIsStrictlyLaterAndItselfAMatch(@ForAll("crons") String cron,
                                                @ForAll @LongRange(min = FROM, max = TO) long at) {
        Schedule s = Schedule.cron(cron, BERLIN);
        Instant t = Instant.ofEpochSecond(at);
        Instant next = s.next(t);
        assertThat(next).isAfter(t);
        assertThat(next.getEpochSecond() % 60).as("on a minute").isZero();
        assertThat(s.next(next.minusSeconds(1))).as("no earlier time between").isEqualTo(next);
    }

    @Provide
    Arbitrary<String> crons() {
        return Arbitraries.of("0 2 * * *", "30 2 * * *", "*/15 * * * *", "0 */4 * * *", "0 8-18 * * mon-fri",
                "15 3 1 * *", "0 0 * * sun");
    }

    @Property
    void windowsAnswerTheSameUntilTheirNextChangeAndDifferentlyThere(@ForAll("windows") Windows w,
            @ForAll @LongRange(min = FROM, max = TO) long at) {
        Instant t = Instant.ofEpochSecond(at);
        Optional<Instant> change = w.nextChange(t);
        Instant end = change.orElse(t.plus(Duration.ofDays(8)));
        assertThat(end).isAfter(t);
        // Sampled every 7 minutes and just before the change: nothing differs before it.
        for (Instant x = t; x.isBefore(end); x = x.plus(Duration.ofMinutes(7))) {
            assertThat(w.mayStart(x)).isEqualTo(w.mayStart(t));
            assertThat(w.bwlimitAt(x)).isEqualTo(w.bwlimitAt(t));
        }
        if (change.isPresent()) {
            Instant c = change.get();
            assertThat(w.mayStart(c.minusNanos(1))).isEqualTo(w.mayStart(t));
            assertThat(w.bwlimitAt(c.minusNanos(1))).isEqualTo(w.bwlimitAt(t));
            assertThat(w.mayStart(c) != w.mayStart(t) || w.bwlimitAt(c) != w.bwlimitAt(t)).isTrue();
        }
    }

    @Provide
    Arbitrary<Windows> windows() {
        Arbitrary<Set<DayOfWeek>> days = Arbitraries.of(DayOfWeek.class).set().ofMinSize(1).ofMaxSize(7)
                .map(EnumSet::copyOf);
        Arbitrary<LocalTime> times = Arbitraries.integers().between(0, 95).map(q -> LocalTime.of(q / 4, q % 4 * 15));
        Arbitrary<Window> window = Combinators.combine(days, times, times, Arbitraries.of(0L, 1_000L, 2_000L),
                Arbitraries.of(true, false)).as(Window::new);
        return window.list().ofMinSize(0).ofMaxSize(3).map(l -> new Windows(List.copyOf(l), BERLIN, 500));
    }
}
