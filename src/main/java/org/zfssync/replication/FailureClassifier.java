package org.zfssync.replication;

import java.util.List;
import java.util.Locale;
import org.zfssync.host.CommandResult;

/**
 * Sorts a failed command into what to do next: retry it (the connection dropped), refuse (the
 * target diverged: only the user may allow a rollback), or give up (everything else that no
 * retry can fix, e.g. permission denied, dataset missing, no space).
 */
public final class FailureClassifier {
    /** What a failure means for the run. */
    public enum Kind {
        /** The connection failed: retrying (and resuming) can succeed. */
        TRANSIENT,
        /**
         * An earlier receive into the same dataset has not finished: a cut stream's receive keeps
         * draining what its buffer holds for a while. Waiting, then resuming its token, succeeds.
         */
        BUSY,
        /** The target changed since the common snapshot: refused unless --rollback. */
        DIVERGED,
        /** Retrying will not help. */
        PERMANENT
    }

    private static final int SSH_FAILURE = 255;
    private static final List<String> BUSY = List.of("contains partially-complete state", "dataset is busy");
    private static final List<String> DIVERGED = List.of("has been modified since most recent snapshot",
            "destination has snapshots", "does not match incremental source", "destination already exists");
    private static final List<String> PERMANENT = List.of("permission denied", "dataset does not exist",
            "no space left", "out of space", "quota exceeded", "could not resolve hostname", "host key verification failed",
            "command not found", "invalid option", "unsupported", "incompatible");
    private static final List<String> TRANSIENT = List.of("connection reset", "connection closed", "broken pipe",
            "timed out", "timeout, server", "connection refused", "network is unreachable", "no route to host",
            "connection lost", "connection was lost", "write failed", "killed by signal", "connection to ", "kex_exchange_identification",
            "address already in use");

    /** What sh prints for a child that a signal ended (dash, bash), or nothing at all. */
    private static final java.util.Set<String> SIGNAL_NOTES = java.util.Set.of("", "killed", "terminated", "hangup");

    private FailureClassifier() {
    }

    public static Kind classify(CommandResult result) {
        String err = result.stderr().toLowerCase(Locale.ROOT);
        for (String s : BUSY) {
            if (err.contains(s)) {
                return Kind.BUSY;
            }
        }
        for (String s : DIVERGED) {
            if (err.contains(s)) {
                return Kind.DIVERGED;
            }
        }
        for (String s : PERMANENT) {
            if (err.contains(s)) {
                return Kind.PERMANENT;
            }
        }
        if (result.exitCode() == SSH_FAILURE && !result.host().equals("local")) {
            return Kind.TRANSIENT;
        }
        for (String s : TRANSIENT) {
            if (err.contains(s)) {
                return Kind.TRANSIENT;
            }
        }
        // Killed by a signal (128+n) with nothing said but the shell's own note of the signal: the
        // process or its connection was cut.
        if (result.exitCode() > 128 && SIGNAL_NOTES.contains(err.strip())) {
            return Kind.TRANSIENT;
        }
        return Kind.PERMANENT;
    }
}
