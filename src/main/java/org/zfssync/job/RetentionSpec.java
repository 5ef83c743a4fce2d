package org.zfssync.job;

import java.time.Duration;
import org.zfssync.pruning.RetentionPolicy;

/** A retention block as written in the config; absent counts are 0, an absent block keeps everything. */
public record RetentionSpec(Integer last, Integer frequent, String frequentPeriod, Integer hourly, Integer daily,
        Integer weekly, Integer monthly, Integer yearly) {
    static final String DEFAULT_FREQUENT_PERIOD = "15m";

    public RetentionPolicy toPolicy() {
        return new RetentionPolicy(n(last), n(frequent), parsePeriod(frequentPeriod == null ? DEFAULT_FREQUENT_PERIOD
                : frequentPeriod), n(hourly), n(daily), n(weekly), n(monthly), n(yearly));
    }

    private static int n(Integer value) {
        return value == null ? 0 : value;
    }

    /** {@code 15m}, {@code 2h}, {@code 90s}: a period for frequent snapshots. */
    static Duration parsePeriod(String text) {
        String t = text.strip();
        if (t.length() < 2) {
            throw new IllegalArgumentException("frequent-period '" + text + "' must be a number and s, m or h (e.g. 15m)");
        }
        long value;
        try {
            value = Long.parseLong(t.substring(0, t.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("frequent-period '" + text + "' must be a number and s, m or h (e.g. 15m)");
        }
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(value);
            case 'm' -> Duration.ofMinutes(value);
            case 'h' -> Duration.ofHours(value);
            default -> throw new IllegalArgumentException("frequent-period '" + text
                    + "' must end in s, m or h (e.g. 15m)");
        };
    }
}
