package org.zfssync.lock;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a run waits for the runs it conflicts with: not at all (exit 5 at once), up to a limit,
 * or for as long as they take.
 *
 * @param limit empty for no limit
 */
public record Wait(Optional<Duration> limit) {
    public static final Wait NONE = new Wait(Optional.of(Duration.ZERO));
    public static final Wait UNLIMITED = new Wait(Optional.empty());

    private static final Pattern TEXT = Pattern.compile("(\\d{1,9})([smhd])");

    public static Wait upTo(Duration limit) {
        if (limit.isNegative()) {
            throw new IllegalArgumentException("a wait cannot be negative: " + limit);
        }
        return new Wait(Optional.of(limit));
    }

    /** "unlimited" (what a bare {@code --wait} means), or a number with a unit: 45s, 30m, 2h, 1d. */
    public static Wait parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("unlimited")) {
            return UNLIMITED;
        }
        Matcher m = TEXT.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("--wait takes a duration such as 45s, 30m, 2h or 1d (or nothing, "
                    + "to wait without limit), not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return upTo(switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        });
    }

    /** How long to sleep before the next look, given how long it has waited; empty when it must give up. */
    Optional<Duration> nextSleep(Duration waited, Duration poll) {
        if (limit.isEmpty()) {
            return Optional.of(poll);
        }
        Duration left = limit.get().minus(waited);
        if (left.isNegative() || left.isZero()) {
            return Optional.empty();
        }
        // A last look right at the limit, so --wait=1s is not a 2 s wait.
        return Optional.of(left.compareTo(poll) < 0 ? left : poll);
    }

    @Override
    public String toString() {
        return limit.map(d -> d.isZero() ? "no wait" : "up to " + d.toString().substring(2).toLowerCase(Locale.ROOT))
                .orElse("without limit");
    }
}
