package org.zfssync.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.zfssync.replication.Glob;
import org.zfssync.replication.Plan;
import org.zfssync.replication.Planner;
import org.zfssync.replication.SnapshotNaming;
import org.zfssync.replication.SyncOptions;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.TreeState;
import org.zfssync.zfs.ZfsListParser;

/**
 * Parses both sides' listings (10,000 datasets × 100 snapshots each, streamed) and plans a
 * recursive sync: the whole cost of a run before the first send, in a 512 MiB heap.
 * Run with {@code .ci/bench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx512m", "-Xms512m"})
public class PlanBenchmark {
    @Param("10000")
    int datasets;

    @Param("100")
    int snapshots;

    @Benchmark
    public Plan parseAndPlan() throws IOException {
        TreeState source = ZfsListParser.parse(new BufferedReader(new SyntheticListing("tank/root", datasets,
                snapshots, false)), DatasetName.of("tank/root"));
        TreeState target = ZfsListParser.parse(new BufferedReader(new SyntheticListing("backup/root", datasets,
                snapshots, true)), DatasetName.of("backup/root"));
        SyncOptions options = new SyncOptions(true, List.of(Glob.of("**/cache")), true, false, SendFlags.none(),
                ReceiveFlags.none(), false, false, false,
                new SnapshotNaming("zfs-sync", "nas-abc123", SnapshotNaming.DEFAULT_TEMPLATE));
        Plan plan = new Planner(options).plan(source, target, Instant.parse("2026-11-24T10:00:00Z"));
        if (plan.datasets().size() != datasets + 101) {
            throw new IllegalStateException("planned " + plan.datasets().size() + " datasets");
        }
        return plan;
    }
}
