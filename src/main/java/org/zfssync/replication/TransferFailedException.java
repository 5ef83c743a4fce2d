package org.zfssync.replication;

import java.util.List;
import org.zfssync.host.CommandResult;

/**
 * A stream failed. Names the stage that failed first in cause (the receiver, when the sender
 * was only killed because the receiver had already given up) and carries every stage's result.
 */
public final class TransferFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient CommandResult failed;
    private final transient List<CommandResult> stages;
    private final long bytes;
    private final boolean stalled;

    public TransferFailedException(CommandResult failed, List<CommandResult> stages, long bytes, boolean stalled) {
        super((stalled ? "stalled (no bytes moved for too long, killed): " : "") + "`" + failed.command() + "` on "
                + failed.host() + " failed (exit " + failed.exitCode() + ") after " + bytes + " bytes: "
                + describe(failed));
        this.failed = failed;
        this.stages = List.copyOf(stages);
        this.bytes = bytes;
        this.stalled = stalled;
    }

    /** Killed by the stall watchdog: worth a retry whatever the processes said. */
    public boolean stalled() {
        return stalled;
    }

    private static String describe(CommandResult r) {
        String err = r.stderrTrimmed();
        return err.isEmpty() ? "(no error output)" : err.replace('\n', ' ');
    }

    public CommandResult failedStage() {
        return failed;
    }

    public List<CommandResult> stages() {
        return stages;
    }

    public long bytes() {
        return bytes;
    }
}
