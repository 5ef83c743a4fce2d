package org.zfssync.alert;

import java.time.Instant;

/**
 * One notification about a job's replication to one target.
 *
 * @param kind    what changed (or, for a reminder, what still holds)
 * @param target  the target as written in the config; null for the job as a whole (its snapshot)
 * @param message one line saying what happened and, for failures, the error
 */
public record Alert(Kind kind, String job, String target, String message, Instant at) {
    public enum Kind {
        /** A job (or one of its targets) started failing. */
        FAILURE,
        /** It succeeded again after failing. */
        RECOVERY,
        /** The newest replicated snapshot got older than the RPO threshold. */
        RPO_OVER,
        /** It is within the threshold again. */
        RPO_OK,
        /** A failure or RPO breach still holds after {@code repeat-every}. */
        REMINDER
    }

    /** {@code FAILURE vms -> nas:pool/vm: ...}, for subjects and logs. */
    public String summary() {
        return kind + " " + job + (target == null ? "" : " -> " + target) + ": " + message;
    }
}
