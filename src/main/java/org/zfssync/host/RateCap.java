package org.zfssync.host;

/**
 * Where a direct stream holds {@code --bwlimit}. {@code pv -L} lends itself credit while its
 * output is blocked (up to five seconds of its rate), and on the source it is blocked until the
 * connection to the target is up: it would then send seconds' worth at full speed. On the target,
 * right behind the connection, it starts when the data does and the network carries no more than
 * it reads plus the connection's window. So the cap is held there when the target has pv, else
 * on the source. Without a cap there is no pv at all: the stream is counted by {@code zfs send}
 * itself.
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

    /** The source's half: the sender, behind the cap when the source holds it. */
    Pipeline sending(Pipeline sender) {
        return rate > 0 && !onTarget ? sender.then(limiter()) : sender;
    }

    /** The target's half: the receiver behind the cap when the target holds it. */
    Pipeline receiving(Pipeline receiver) {
        return rate > 0 && onTarget ? receiver.after(limiter()) : receiver;
    }

    private Command limiter() {
        return Command.reading("pv", "-q", "-L", Long.toString(rate));
    }
}
