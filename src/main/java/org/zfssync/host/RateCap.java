package org.zfssync.host;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a direct stream holds {@code --bwlimit}. {@code pv -L} lends itself credit while its
 * output is blocked (up to five seconds of its rate), and on the source it is blocked until the
 * connection to the target is up: it would then send seconds' worth at full speed. On the target,
 * right behind the connection, it starts when the data does and the network carries no more than
 * it reads plus the connection's window. So the cap is held there when the target has pv, else
 * on the source. The counter on the source ({@code pv -n -b}) counts in both cases.
 *
 * @param rate     bytes per second, 0 for no cap
 * @param onTarget the target holds the cap (it has pv)
 */
public record RateCap(long rate, boolean onTarget) {
    public RateCap {
        if (rate < 0) {
            throw new IllegalArgumentException("a rate cap is positive, or 0 for none");
        }
    }

    public static RateCap none() {
        return new RateCap(0, false);
    }

    /** The source's counter, capping the rate when the target does not. */
    Command counter() {
        List<String> argv = new ArrayList<>(List.of("pv", "-n", "-b", "-i", "1"));
        if (rate > 0 && !onTarget) {
            argv.addAll(List.of("-L", Long.toString(rate)));
        }
        return Command.reading(argv);
    }

    /** The target's half: the receiver behind the cap when the target holds it. */
    Pipeline receiving(Pipeline receiver) {
        return rate > 0 && onTarget ? receiver.after(Command.reading("pv", "-q", "-L", Long.toString(rate))) : receiver;
    }
}
