package org.zfssync.schedule;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the config writes them: a number and a unit, {@code 90s}, {@code 15m}, {@code 6h}, {@code 90d}, {@code 1w}. */
public final class DurationText {
    private static final Pattern TEXT = Pattern.compile("(\\d{1,9})\\s*([smhdw])");

    private DurationText() {
    }

    /**
     * @param key what the value is, for the message ({@code replicate-every})
     * @throws IllegalArgumentException naming the key and the expected form
     */
    public static Duration parse(String key, String text) {
        Matcher m = TEXT.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid " + key + " '" + text
                    + "': use a number and a unit, s m h d or w (e.g. 15m, 1h, 1d)");
        }
        long n = Long.parseLong(m.group(1));
        Duration unit = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(1);
            case "m" -> Duration.ofMinutes(1);
            case "h" -> Duration.ofHours(1);
            case "d" -> Duration.ofDays(1);
            default -> Duration.ofDays(7);
        };
        return unit.multipliedBy(n);
    }

    /** As {@link #parse}, and at least {@code min}: a schedule of seconds would only spin. */
    public static Duration parseAtLeast(String key, String text, Duration min) {
        Duration d = parse(key, text);
        if (d.compareTo(min) < 0) {
            throw new IllegalArgumentException(key + " must be at least " + format(min) + ", got '" + text.strip() + "'");
        }
        return d;
    }

    /** The shortest exact form: {@code 90s}, {@code 15m}, {@code 6h}, {@code 2d}. */
    public static String format(Duration d) {
        long s = d.toSeconds();
        if (s % 86_400 == 0 && s > 0) {
            return s / 86_400 + "d";
        }
        if (s % 3_600 == 0 && s > 0) {
            return s / 3_600 + "h";
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
