package org.zfssync.replication;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A direct transport's stream as the transfer sees it: the total a counter on the source last
 * reported, and the stream's own stop and end. The relay counts its bytes itself instead.
 */
final class CountedStream implements RunningStream {
    private final AtomicLong counted;
    private final Runnable stop;
    private final Supplier<Ended> end;

    /** @param counted where the source's counter reports its totals (the transport hands it to the stream) */
    CountedStream(AtomicLong counted, Runnable stop, Supplier<Ended> end) {
        this.counted = counted;
        this.stop = stop;
        this.end = end;
    }

    @Override
    public long bytes() {
        return counted.get();
    }

    @Override
    public void stop() {
        stop.run();
    }

    @Override
    public Ended await() {
        return end.get();
    }
}
