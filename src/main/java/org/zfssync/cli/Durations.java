package org.zfssync.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Spans of time as people write and read them: {@code 90m}, {@code 36h}, {@code 7d}; {@code 2h 05m}. */
final class Durations {
    private static final Pattern TEXT = Pattern.compile("(\\d{1,9})([smhdw])");

    private Durations() {
    }

    /** A number and a unit: s, m, h, d or w. */
    static Duration parse(String option, String text) {
        Matcher m = TEXT.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " takes a number and a unit (s, m, h, d or w), such as 90m, "
                    + "36h or 7d, not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    /** The two largest units: {@code 45s}, {@code 3m 07s}, {@code 2h 05m}, {@code 12d 3h}. */
    static String human(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh %02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd %dh", s / 86_400, s % 86_400 / 3600);
    }

    /** {@code --since}: a bad value is a usage error naming the option and the accepted forms. */
    static final class SinceConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse("--since", value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
