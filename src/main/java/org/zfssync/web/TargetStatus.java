package org.zfssync.web;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One target of a job. Every field but {@code target} may be null: a target never replicated has no last
 * success and no snapshot, one that never failed has no failure.
 *
 * @param target                where the job replicates to, as the config names it (e.g. {@code backup:tank/b})
 * @param lastSuccess           when the last run to this target succeeded
 * @param newestSnapshot        the newest snapshot the target holds (short name, after the {@code @})
 * @param newestSnapshotCreated when that snapshot was taken on the source
 * @param failingSince          the first failure of the current series of failed runs; null when the last run succeeded
 * @param lastError             the error of the last failed run, while it is failing
 */
public record TargetStatus(String target, Instant lastSuccess, String newestSnapshot, Instant newestSnapshotCreated,
                           Instant failingSince, String lastError) {
    public TargetStatus {
        Objects.requireNonNull(target, "target");
    }

    /**
     * The recovery point objective as it stands: how much history would be lost if the source died now. That is
     * the age of the newest snapshot the target holds; when the snapshot's time is unknown, the time since the
     * last successful run (which replicated at least a snapshot taken just before it). Empty when neither is known.
     */
    public Optional<Duration> rpo(Instant now) {
        Instant recoveryPoint = newestSnapshotCreated != null ? newestSnapshotCreated : lastSuccess;
        if (recoveryPoint == null) {
            return Optional.empty();
        }
        Duration age = Duration.between(recoveryPoint, now);
        // A clock a little ahead on the source must not show a negative RPO.
        return Optional.of(age.isNegative() ? Duration.ZERO : age);
    }

    /** The RPO judged against the job's thresholds; UNKNOWN when there is no RPO. */
    public RpoLevel level(Instant now, Duration warn, Duration critical) {
        return rpo(now).map(rpo -> {
            if (rpo.compareTo(critical) >= 0) {
                return RpoLevel.CRITICAL;
            }
            return rpo.compareTo(warn) >= 0 ? RpoLevel.WARN : RpoLevel.OK;
        }).orElse(RpoLevel.UNKNOWN);
    }
}
