package org.zfssync.replication;

import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A token bucket for {@code --bwlimit}: at most {@code bytesPerSecond} on average, with bursts of
 * up to a quarter second's worth. The data passes through zfs-sync (no mbuffer {@code -r} or pv
 * {@code -L} on the hosts), so the cap needs no helper program on either host and can change while
 * a transfer runs: {@link #setRate} (a window boundary) applies from the next chunk the pump
 * passes. Clock and sleep are injected for tests.
 */
public final class RateLimiter {
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private long bytesPerSecond;
    private long burst;
    private double tokens;
    private long last;

    /** @param bytesPerSecond the cap, 0 for none (yet) */
    public RateLimiter(long bytesPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.last = nanoTime.getAsLong();
        setRate(bytesPerSecond);
        this.tokens = burst;
    }

    /** @param bytesPerSecond the cap, 0 for none: a limiter a daemon may tighten later */
    public static RateLimiter of(long bytesPerSecond) {
        return new RateLimiter(bytesPerSecond, System::nanoTime, Sleeper.system());
    }

    /**
     * Changes the cap of every transfer using this limiter, from their next chunk on; 0 lifts it.
     * What was earned at the old rate is kept, up to the new burst: a lower cap bites at once.
     */
    public synchronized void setRate(long newBytesPerSecond) {
        if (newBytesPerSecond < 0) {
            throw new IllegalArgumentException("bandwidth limit must not be negative");
        }
        if (bytesPerSecond > 0) {
            refill();
        } else {
            last = nanoTime.getAsLong();
        }
        bytesPerSecond = newBytesPerSecond;
        burst = Math.max(1, newBytesPerSecond / 4);
        tokens = Math.min(tokens, burst);
    }

    /** The cap now, in bytes per second; 0 for none. */
    public synchronized long rate() {
        return bytesPerSecond;
    }

    /** Parses {@code 500K}, {@code 50M}, {@code 1G} (powers of 1024, as pv and mbuffer read them) or plain bytes. */
    public static long parseRate(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        if (t.endsWith("/S")) {
            t = t.substring(0, t.length() - 2);
        }
        if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        long unit = 1;
        if (!t.isEmpty() && "KMGT".indexOf(t.charAt(t.length() - 1)) >= 0) {
            unit = 1L << (10 * ("KMGT".indexOf(t.charAt(t.length() - 1)) + 1));
            t = t.substring(0, t.length() - 1);
        }
        try {
            double value = Double.parseDouble(t);
            if (value <= 0 || Double.isNaN(value) || Double.isInfinite(value)) {
                throw new NumberFormatException();
            }
            return Math.max(1, Math.round(value * unit));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid rate '" + text + "': use e.g. 500K, 50M or 1G (bytes per second)");
        }
    }

    /** Blocks until {@code bytes} may pass. */
    public void acquire(long bytes) throws InterruptedException {
        // Parallel streams share one bucket: each reserves its bytes under the lock and sleeps off
        // the debt outside it, so together they never exceed the rate.
        long waitNanos;
        synchronized (this) {
            if (bytesPerSecond == 0) {
                return;
            }
            refill();
            tokens -= bytes;
            waitNanos = tokens < 0 ? (long) (-tokens * 1_000_000_000.0 / bytesPerSecond) : 0;
        }
        if (waitNanos > 0) {
            sleeper.sleep(Duration.ofNanos(waitNanos));
        }
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) * bytesPerSecond / 1_000_000_000.0);
        last = now;
    }
}
