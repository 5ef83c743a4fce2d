package org.zfssync.cli;

/** zfs-sync's exit codes, documented in --help and the README. */
public final class ExitCodes {
    /** Everything replicated (or was already up to date). */
    public static final int OK = 0;
    /** Some datasets failed; the others were replicated. */
    public static final int FAILED = 1;
    /** Bad command line or configuration; nothing was run. */
    public static final int USAGE = 2;
    /** A required program is missing or a host is unreachable; nothing was changed. */
    public static final int PREREQUISITE = 3;
    /** Refused for safety (no common snapshot, diverged target); a flag would allow it. */
    public static final int REFUSED = 4;
    /** Another run holds the same job or an overlapping target; the message names its PID and that target. */
    public static final int LOCKED = 5;
    /** The daemon refused the request: its API needs a token and none, or a wrong one, was sent. */
    public static final int DENIED = 6;

    public static final String HELP = "%nExit codes:%n"
            + "  0  success: every dataset replicated or already up to date%n"
            + "  1  some datasets failed (each is named with the failing command and its error)%n"
            + "  2  usage or configuration error; nothing was run (trigger: no such job)%n"
            + "  3  a prerequisite is missing or broken (zfs, ssh reachability, a helper); nothing%n"
            + "     was changed; trigger: no daemon listens at --url%n"
            + "  4  refused for safety (no common snapshot, diverged or modified target); takes%n"
            + "     precedence over 1 because it needs a person, not a retry; restore: the new%n"
            + "     dataset exists, or the in-place change was not confirmed%n"
            + "  5  another run holds this job or an overlapping target (sync, run, prune,%n"
            + "     snapshot): the message names its PID, what it runs and the target;%n"
            + "     --wait waits for it instead; trigger: the job is already running%n"
            + "  6  trigger: the daemon refused the token (see --token-file)%n"
            + "  130, 143  stopped by SIGINT or SIGTERM: streams stopped (each target keeps what%n"
            + "     arrived, resumable), holds released, summary printed%n";

    private ExitCodes() {
    }
}
