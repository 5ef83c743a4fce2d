package org.zfssync.job;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.zfssync.host.CommandStats;
import org.zfssync.host.Hosts;
import org.zfssync.replication.Endpoint;
import org.zfssync.zfs.TreeState;
import org.zfssync.zfs.Zfs;

/**
 * Reads the replication lag of the configured jobs whose source is on a given host: one listing
 * of each such source and each of its targets. A target that cannot be read gives a lag of "?"
 * with the reason, not a failed listing.
 */
public final class LagReader {
    private final Clock clock;

    public LagReader(Clock clock) {
        this.clock = clock;
    }

    /** @param host the listed host as written ({@code user@host}), empty for this machine */
    public List<Lag> read(Config config, Optional<String> host) {
        List<Lag> result = new ArrayList<>();
        for (Job job : config.jobs()) {
            Endpoint src = Endpoint.parse(job.source());
            if (!src.sshDestination().equals(host)) {
                continue;
            }
            boolean recursive = job.settings().recursive() == null || job.settings().recursive();
            try (Hosts hosts = new Hosts(JobRunner.ssh(job.settings()), new CommandStats())) {
                TreeState source = new Zfs(hosts.get(src.sshDestination())).list(src.dataset(), recursive);
                for (String target : job.targets()) {
                    Endpoint dst = Endpoint.parse(target);
                    try {
                        TreeState t = new Zfs(hosts.get(dst.sshDestination())).list(dst.dataset(), recursive);
                        result.addAll(Lag.compute(job, target, source, t, clock.instant()));
                    } catch (RuntimeException e) {
                        result.add(new Lag(job.name(), target, src.dataset().value(), null, null, e.getMessage()));
                    }
                }
            }
        }
        return result;
    }
}
