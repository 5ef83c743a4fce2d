package org.zfssync.job;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.zfssync.host.Host;
import org.zfssync.host.HostPool;
import org.zfssync.host.HostUnreachableException;
import org.zfssync.replication.Cancellation;
import org.zfssync.replication.Endpoint;
import org.zfssync.replication.SnapshotNaming;
import org.zfssync.testing.FakeClock;
import org.zfssync.testing.FakeZfsHost;

/**
 * The hosts of {@link JobRunnerTest}: in-memory ZFS hosts by ssh destination, handed to the
 * runners as a {@link HostPool.Factory}, and a clock the test moves on between runs.
 *
 * <p>A pool is taken offline by putting, for a while, a host without any pool in place of the
 * real one under the same destination (a USB pool exported): it answers every listing of the
 * target with OpenZFS's {@code dataset does not exist} and refuses to create anything there,
 * while the real fake keeps its data untouched until the pool comes back.
 */
final class JobRunnerFleet {
    private final Map<String, FakeZfsHost> online = new ConcurrentHashMap<>();
    private final Map<String, FakeZfsHost> current = new ConcurrentHashMap<>();
    final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T10:00:00Z"));

    /** Adds a host under an ssh destination (its name in the fake's log too). */
    FakeZfsHost host(String destination, String... pools) {
        FakeZfsHost host = new FakeZfsHost(destination);
        for (String pool : pools) {
            host.pool(pool);
        }
        online.put(destination, host);
        current.put(destination, host);
        return host;
    }

    /** The host added under a destination. */
    FakeZfsHost get(String destination) {
        return online.get(destination);
    }

    /** The host's pool is exported: a host with no pool answers for it until {@link #online}. */
    FakeZfsHost offline(String destination) {
        FakeZfsHost empty = new FakeZfsHost(destination);
        current.put(destination, empty);
        return empty;
    }

    /** The real host (with its pools and data as they were) answers again. */
    void online(String destination) {
        current.put(destination, online.get(destination));
    }

    HostPool.Factory factory() {
        return (options, listener) -> new HostPool() {
            @Override
            public Host get(Optional<String> sshDestination) {
                String d = sshDestination.orElse("local");
                Host h = current.get(d);
                if (h == null) {
                    throw new HostUnreachableException("ssh: Could not resolve hostname " + d + ": no such test host");
                }
                return h;
            }

            @Override
            public void close() {
                // The fakes outlive a run: the next run finds them as this one left them.
            }
        };
    }

    JobRunner runner(Cancellation cancellation) {
        return new JobRunner(clock, cancellation, factory());
    }

    JobRunner runner() {
        return runner(new Cancellation());
    }

    /** The one job of a YAML config, loaded (and checked) as {@code zfs-sync run} loads it. */
    static Job job(String yaml) {
        return new ConfigLoader().parse(Path.of("test.yaml"), yaml).jobs().get(0);
    }

    /** The naming of one target's sync snapshots, as the job's syncs name them. */
    static SnapshotNaming naming(Job job, String target) {
        return JobRunner.naming(job.settings(), Endpoint.parse(target));
    }

    /** Snapshot names of a dataset that match a naming, oldest first. */
    static List<String> matching(FakeZfsHost host, String dataset, SnapshotNaming naming) {
        List<String> out = new ArrayList<>();
        for (String s : host.snapshots(dataset)) {
            if (naming.isOurs(s)) {
                out.add(s);
            }
        }
        return out;
    }
}
