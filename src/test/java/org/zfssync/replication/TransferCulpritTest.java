package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;

/** Which stage of a failed half-stream is to blame. */
class TransferCulpritTest {
    private static CommandResult r(String program, int exit, String stderr) {
        return new CommandResult(Command.reading(program), "h", exit, "", stderr);
    }

    @Test
    void stagesKilledOnlyBecauseTheirReaderWentAwayAreNotToBlame() {
        CommandResult mbuffer = r("mbuffer", 1, "mbuffer: error: out of memory");
        CommandResult culprit = Transfer.culprit(List.of(r("zfs", 1, "warning: cannot send 'p/a@s': Broken pipe"),
                r("zstd", 141, ""), mbuffer));
        assertThat(culprit).isEqualTo(mbuffer);
    }

    @Test
    void stagesThatChokeOnATruncatedStreamComeAfterTheCulprit() {
        CommandResult mbuffer = r("mbuffer", 1, "mbuffer: error: bad");
        CommandResult culprit = Transfer.culprit(List.of(mbuffer, r("zstd", 1, "zstd: error: truncated input"),
                r("zfs", 1, "cannot receive: failed to read from stream")));
        assertThat(culprit).isEqualTo(mbuffer);
    }

    @Test
    void whenEveryFailureLooksLikeAVictimTheFirstIsReported() {
        CommandResult first = r("zfs", 141, "");
        assertThat(Transfer.culprit(List.of(first, r("zstd", 141, ""), r("cat", 0, "")))).isEqualTo(first);
    }
}
