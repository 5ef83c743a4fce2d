package org.zfssync.bench;

import java.time.Duration;
import org.zfssync.host.Command;
import org.zfssync.host.LocalHost;
import org.zfssync.host.Pipeline;
import org.zfssync.replication.RateLimiter;
import org.zfssync.replication.Transfer;
import org.zfssync.replication.TransferPipeline;

/**
 * Times a 100 MiB stream through zfs-sync's relay with {@code --bwlimit 10M}: the limiter under
 * real processes and pipes ({@code head -c} as sender, {@code dd} as receiver). Expect about 10 s.
 * Run by {@code .ci/bench}.
 */
public final class BwlimitBench {
    private BwlimitBench() {
    }

    public static void main(String[] args) {
        long size = 100L << 20;
        long rate = RateLimiter.parseRate(args.length > 0 ? args[0] : "10M");
        LocalHost host = new LocalHost((h, d, s) -> { });
        for (long limit : new long[] {0, rate}) {
            Transfer transfer = new Transfer(host, host, Duration.ofMinutes(1), limit == 0 ? null : RateLimiter.of(limit));
            long start = System.nanoTime();
            long bytes = transfer.run(new TransferPipeline(Pipeline.of(Command.reading("head", "-c", Long.toString(size),
                    "/dev/zero")), Pipeline.of(Command.changing("dd", "of=/dev/null", "bs=1M", "status=none"))));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("bwlimit %-10s %d bytes in %.2f s = %.1f MiB/s%n", limit == 0 ? "none" : args.length > 0
                    ? args[0] : "10M", bytes, seconds, bytes / seconds / (1 << 20));
        }
    }
}
