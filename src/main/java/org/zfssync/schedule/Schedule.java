package org.zfssync.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * When a task is next due: every fixed duration after its last start ({@code replicate-every: 15m}),
 * or at the times of a cron expression in the job's timezone ({@code cron: "0 2 * * *"}).
 *
 * <p>Cron expressions are Unix (Vixie) cron: five fields, minute hour day-of-month month
 * day-of-week, parsed and evaluated by cron-utils. Durations are counted on the instant line, so a
 * DST change never stretches or shrinks them; cron times are wall-clock times in the zone.
 */
public sealed interface Schedule permits Schedule.Every, Schedule.CronSchedule {
    /** The shortest {@code every}: a shorter one would only spin. */
    Duration MIN_EVERY = Duration.ofMinutes(1);

    /** The first due time strictly after {@code after}. */
    Instant next(Instant after);

    /**
     * The first slot of a task that has never started, for a daemon starting at {@code start}: an
     * every-duration is due at once, a cron expression at its first time from {@code start} on.
     */
    Instant first(Instant start);

    static Schedule every(Duration every) {
        return new Every(every);
    }

    /**
     * @throws IllegalArgumentException naming the expression and the expected form
     */
    static Schedule cron(String expression, ZoneId zone) {
        return new CronSchedule(expression, zone);
    }

    /** Every {@code every} after the last start. */
    record Every(Duration every) implements Schedule {
        public Every {
            if (every.compareTo(MIN_EVERY) < 0) {
                throw new IllegalArgumentException("a schedule must be at least 1m apart, got " + every.toSeconds()
                        + "s");
            }
        }

        @Override
        public Instant next(Instant after) {
            return after.plus(every);
        }

        @Override
        public Instant first(Instant start) {
            return start;
        }

        @Override
        public String toString() {
            return "every " + DurationText.format(every);
        }
    }

    /** The times of a Unix cron expression, in {@code zone}. */
    final class CronSchedule implements Schedule {
        private static final CronParser PARSER =
                new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
        private final String expression;
        private final ZoneId zone;
        private final ExecutionTime times;

        CronSchedule(String expression, ZoneId zone) {
            this.expression = Objects.requireNonNull(expression).strip();
            this.zone = zone;
            Cron cron;
            try {
                cron = PARSER.parse(this.expression);
                cron.validate();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid cron '" + expression + "': " + e.getMessage()
                        + "; use five fields, minute hour day-of-month month day-of-week (e.g. \"0 */4 * * *\")");
            }
            this.times = ExecutionTime.forCron(cron);
        }

        @Override
        public Instant next(Instant after) {
            ZonedDateTime from = after.atZone(zone);
            ZonedDateTime next = times.nextExecution(from)
                    .orElseThrow(() -> new IllegalArgumentException("cron '" + expression + "' never fires (no time after "
                            + from + "): check its day and month"));
            // cron-utils answers "after" with minute resolution; keep the promise of strictly later.
            Instant n = next.toInstant();
            return n.isAfter(after) ? n : next(after.plusSeconds(60 - after.getEpochSecond() % 60));
        }

        @Override
        public Instant first(Instant start) {
            return next(start.minusNanos(1));
        }

        public String expression() {
            return expression;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CronSchedule c && c.expression.equals(expression) && c.zone.equals(zone);
        }

        @Override
        public int hashCode() {
            return Objects.hash(expression, zone);
        }

        @Override
        public String toString() {
            return "cron \"" + expression + "\" (" + zone + ")";
        }
    }
}
