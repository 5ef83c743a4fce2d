package org.zfssync.pruning;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RetentionTest {
    private static final Duration HOUR = Duration.ofHours(1);

    private static RetentionPolicy policy(int last, int hourly, int daily, int weekly, int monthly, int yearly) {
        return new RetentionPolicy(last, 0, null, hourly, daily, weekly, monthly, yearly);
    }

    /** One of our snapshots every hour from {@code start}, {@code count} of them. */
    private static List<Candidate> hourly(Instant start, int count) {
        List<Candidate> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instant t = start.plus(HOUR.multipliedBy(i));
            list.add(new Candidate("s" + t, t, i + 1, true, false, false));
        }
        return list;
    }

    private static Set<Instant> times(List<Candidate> list) {
        Set<Instant> set = new HashSet<>();
        list.forEach(c -> set.add(c.creation()));
        return set;
    }

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void aYearOfHourlySnapshotsKeepsExactlyTheConfiguredPeriods() {
        List<Candidate> year = hourly(at("2025-01-01T00:00:00Z"), 365 * 24);
        Retention.Decision d = new Retention(policy(0, 24, 7, 4, 12, 1), ZoneOffset.UTC).decide(year);

        Set<Instant> expected = new HashSet<>();
        for (int h = 0; h < 24; h++) {
            expected.add(at("2025-12-31T00:00:00Z").plus(HOUR.multipliedBy(h))); // hourly 24
        }
        for (int day = 25; day <= 31; day++) {
            expected.add(at("2025-12-" + day + "T23:00:00Z")); // daily 7: each day's newest
        }
        // weekly 4: the newest of the weeks starting Mon 8, 15, 22 and 29 December
        expected.addAll(List.of(at("2025-12-14T23:00:00Z"), at("2025-12-21T23:00:00Z"), at("2025-12-28T23:00:00Z")));
        for (String monthEnd : List.of("01-31", "02-28", "03-31", "04-30", "05-31", "06-30", "07-31", "08-31", "09-30",
                "10-31", "11-30", "12-31")) {
            expected.add(at("2025-" + monthEnd + "T23:00:00Z")); // monthly 12; yearly 1 is Dec 31 23:00
        }
        assertThat(times(new ArrayList<>(d.kept().keySet()))).isEqualTo(expected);
        assertThat(expected).hasSize(43);
        assertThat(d.destroy()).hasSize(365 * 24 - 43);
    }

    @Test
    void keepLastCountsOnlyOurSnapshots() {
        List<Candidate> list = new ArrayList<>(hourly(at("2025-01-01T00:00:00Z"), 5));
        list.add(new Candidate("theirs", at("2025-01-02T00:00:00Z"), 99, false, false, false));
        Retention.Decision d = new Retention(policy(2, 0, 0, 0, 0, 0), ZoneOffset.UTC).decide(list);
        assertThat(d.destroy()).extracting(Candidate::guid).containsExactly(3L, 2L, 1L);
        assertThat(d.kept()).containsEntry(list.get(5), "not ours");
    }

    @Test
    void anEmptyPolicyKeepsEverything() {
        Retention.Decision d = new Retention(policy(0, 0, 0, 0, 0, 0), ZoneOffset.UTC)
                .decide(hourly(at("2025-01-01T00:00:00Z"), 50));
        assertThat(d.destroy()).isEmpty();
    }

    /** Berlin, 26 Oct 2025: 02:00–03:00 happens twice. Two hours, two periods; nothing extra destroyed. */
    @Test
    void theRepeatedHourInBerlinIsTwoHourlyPeriods() {
        List<Candidate> night = hourly(at("2025-10-25T12:00:00Z"), 49);
        Retention.Decision d = new Retention(policy(0, 48, 0, 0, 0, 0), ZoneId.of("Europe/Berlin")).decide(night);
        assertThat(d.destroy()).containsExactly(night.get(0));
        Retention.Decision daily = new Retention(policy(0, 0, 3, 0, 0, 0), ZoneId.of("Europe/Berlin")).decide(night);
        // Local days 25, 26 (25 hours long) and 27 October: the newest snapshot of each.
        assertThat(times(new ArrayList<>(daily.kept().keySet()))).containsExactlyInAnyOrder(
                at("2025-10-25T21:00:00Z"), at("2025-10-26T22:00:00Z"), at("2025-10-27T12:00:00Z"));
    }

    /** New York, 9 Mar 2025: 02:00–03:00 never happens. No period is skipped or merged. */
    @Test
    void theMissingHourInNewYorkDropsNothingExtra() {
        List<Candidate> night = hourly(at("2025-03-08T12:00:00Z"), 40);
        Retention.Decision d = new Retention(policy(0, 24, 0, 0, 0, 0), ZoneId.of("America/New_York")).decide(night);
        assertThat(d.kept()).hasSize(24);
        List<Candidate> oldest = new ArrayList<>(night.subList(0, 16));
        java.util.Collections.reverse(oldest);
        assertThat(d.destroy()).containsExactlyElementsOf(oldest);
        Retention.Decision fallBack = new Retention(policy(0, 24, 0, 0, 0, 0), ZoneId.of("America/New_York"))
                .decide(hourly(at("2025-11-02T00:00:00Z"), 30));
        assertThat(fallBack.kept()).hasSize(24);
    }

    @Test
    void frequentPeriodsAreCutOnTheClock() {
        List<Candidate> list = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Instant t = at("2025-01-01T00:00:00Z").plus(Duration.ofMinutes(5L * i));
            list.add(new Candidate("f" + i, t, i + 1, true, false, false));
        }
        RetentionPolicy p = new RetentionPolicy(0, 2, Duration.ofMinutes(15), 0, 0, 0, 0, 0);
        Retention.Decision d = new Retention(p, ZoneOffset.UTC).decide(list);
        // Newest two quarter hours (00:45 and 00:30): their newest snapshots are 00:55 and 00:40.
        assertThat(d.kept().keySet()).extracting(Candidate::name).containsExactlyInAnyOrder("f11", "f8");
    }

    /** Whatever the history and the policy: never a held, needed or foreign snapshot; every snapshot decided once. */
    @Property(tries = 300)
    void neverSelectsWhatMustSurvive(@ForAll("histories") List<Candidate> history, @ForAll("policies") RetentionPolicy p,
            @ForAll("zones") ZoneId zone) {
        Retention.Decision d = new Retention(p, zone).decide(history);
        assertThat(d.destroy()).allSatisfy(c -> assertThat(c.prunable()).isTrue());
        assertThat(d.kept().size() + d.destroy().size()).isEqualTo(history.size());
        assertThat(java.util.Collections.disjoint(d.destroy(), d.kept().keySet())).isTrue();
        List<Candidate> ours = history.stream().filter(Candidate::ours)
                .sorted(java.util.Comparator.comparing(Candidate::creation).thenComparing(Candidate::guid).reversed())
                .toList();
        assertThat(d.kept().keySet()).containsAll(ours.subList(0, Math.min(p.last(), ours.size())));
    }

    @Provide
    Arbitrary<List<Candidate>> histories() {
        Arbitrary<Instant> times = Arbitraries.longs().between(0, 3L * 365 * 24 * 3600)
                .map(s -> at("2024-01-01T00:00:00Z").plusSeconds(s));
        Arbitrary<Candidate> candidate = Combinators.combine(times, Arbitraries.longs().between(1, Long.MAX_VALUE),
                Arbitraries.integers().between(0, 9), Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 9))
                .as((t, guid, ours, held, needed) -> new Candidate("s" + guid, t, guid, ours > 1, held == 0, needed == 0));
        return candidate.list().ofMaxSize(200).uniqueElements(Candidate::guid);
    }

    @Provide
    Arbitrary<RetentionPolicy> policies() {
        Arbitrary<Integer> n = Arbitraries.integers().between(0, 30);
        return Combinators.combine(n, n, n, n, n, n, n).as((last, frequent, hourly, daily, weekly, monthly, yearly) ->
                new RetentionPolicy(last, frequent, Duration.ofMinutes(15), hourly, daily, weekly, monthly, yearly % 3));
    }

    @Provide
    Arbitrary<ZoneId> zones() {
        return Arbitraries.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin"), ZoneId.of("America/New_York"),
                ZoneId.of("Asia/Kolkata"), ZoneId.of("Australia/Lord_Howe"));
    }
}
