package org.zfssync.testing;

import java.util.List;
import org.zfssync.host.CommandResult;

/**
 * What a fake host's {@code runAll} returns, shaped as {@code SshHost} returns it: a batch of two or
 * more commands runs in one remote shell whose output is split by status lines, so each command's
 * stdout and stderr come back merged, as stderr. A caller that reads {@code stdout()} of a batched
 * result works against a fake that keeps them apart and fails against a real host; this makes the
 * fakes fail it too.
 */
public final class Batches {
    private Batches() {
    }

    public static List<CommandResult> asBatch(List<CommandResult> results) {
        if (results.size() < 2) {
            return results;
        }
        return results.stream()
                .map(r -> new CommandResult(r.command(), r.host(), r.exitCode(), "", r.output()))
                .toList();
    }
}
