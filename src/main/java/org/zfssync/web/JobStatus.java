package org.zfssync.web;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One configured job as the service sees it.
 *
 * @param name        the job's name in the config
 * @param targets     one entry per target of the job
 * @param rpoWarn     the job's {@code rpo-warn}: a target whose RPO is at least this is WARN
 * @param rpoCritical the job's {@code rpo-critical}: a target whose RPO is at least this is CRITICAL
 * @param nextRun     when the scheduler runs the job next; null when it has no schedule
 * @param running     whether a run of the job is in progress
 */
public record JobStatus(String name, List<TargetStatus> targets, Duration rpoWarn, Duration rpoCritical,
                        Instant nextRun, boolean running) {
    public JobStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rpoWarn, "rpoWarn");
        Objects.requireNonNull(rpoCritical, "rpoCritical");
        targets = List.copyOf(targets);
        if (rpoCritical.compareTo(rpoWarn) < 0) {
            throw new IllegalArgumentException("job " + name + ": rpo-critical (" + rpoCritical
                    + ") is shorter than rpo-warn (" + rpoWarn + ")");
        }
    }

    /** The level of the target in the worst state: what the job's heading shows. */
    public RpoLevel level(Instant now) {
        return targets.stream().map(t -> t.level(now, rpoWarn, rpoCritical))
                .max(RpoLevel.BY_SEVERITY).orElse(RpoLevel.UNKNOWN);
    }
}
