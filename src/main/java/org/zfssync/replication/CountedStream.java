package org.zfssync.replication;

import java.util.function.Supplier;
import org.zfssync.host.RunningPipeline;
import org.zfssync.zfs.SendProgress;

/**
 * A direct transport's stream as the transfer sees it: the bytes {@code zfs send} reported on the
 * source ({@link SendProgress}), and the stream's own stop and end. The relay counts its bytes
 * itself instead.
 */
final class CountedStream implements RunningStream {
    private final SendProgress progress;
    private final Runnable stop;
    private final Supplier<Ended> end;
    private volatile boolean completed;

    /** @param progress what zfs send reports (the transport hands it to the stream) */
    CountedStream(SendProgress progress, Runnable stop, Supplier<Ended> end) {
        this.progress = progress;
        this.stop = stop;
        this.end = end;
    }

    /** What zfs send reported so far; once the stream ended well, with each snapshot's last second too. */
    @Override
    public long bytes() {
        return completed ? progress.completedTotal() : progress.total();
    }

    @Override
    public void stop() {
        stop.run();
    }

    @Override
    public Ended await() {
        Ended ended = end.get();
        completed = RunningPipeline.allOk(ended.sent()) && RunningPipeline.allOk(ended.received());
        return ended;
    }
}
