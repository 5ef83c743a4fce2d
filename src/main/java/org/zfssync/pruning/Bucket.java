package org.zfssync.pruning;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;

/** The kinds of period retention counts, and which period an instant falls in. */
enum Bucket {
    FREQUENT, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY;

    /**
     * The start of the period containing {@code t}, as an instant. Hours are cut on the instant's
     * own offset, so the hour repeated when clocks go back is two periods, not one; days, weeks
     * (from Monday), months and years follow the zone's calendar.
     */
    Instant periodOf(Instant t, ZoneId zone, Duration frequentPeriod) {
        ZonedDateTime z = t.atZone(zone);
        return switch (this) {
            case FREQUENT -> Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), frequentPeriod.toSeconds())
                    * frequentPeriod.toSeconds());
            case HOURLY -> z.truncatedTo(ChronoUnit.HOURS).toInstant();
            case DAILY -> z.toLocalDate().atStartOfDay(zone).toInstant();
            case WEEKLY -> z.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(zone)
                    .toInstant();
            case MONTHLY -> z.toLocalDate().withDayOfMonth(1).atStartOfDay(zone).toInstant();
            case YEARLY -> z.toLocalDate().withDayOfYear(1).atStartOfDay(zone).toInstant();
        };
    }

    int count(RetentionPolicy p) {
        return switch (this) {
            case FREQUENT -> p.frequent();
            case HOURLY -> p.hourly();
            case DAILY -> p.daily();
            case WEEKLY -> p.weekly();
            case MONTHLY -> p.monthly();
            case YEARLY -> p.yearly();
        };
    }
}
