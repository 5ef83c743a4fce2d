package org.zfssync.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.zfssync.host.Command;
import org.zfssync.host.Pipeline;

/** zfs send -v -P's stderr as OpenZFS 2.3 printed it in the lab, read as a byte count. */
class SendProgressTest {
    private static SendProgress read(String... lines) {
        SendProgress p = new SendProgress();
        for (String l : lines) {
            assertThat(p.read(l)).as(l).isTrue();
        }
        return p;
    }

    @Test
    void aFullSendCountsItsProgressAndOnceEndedWellAtLeastItsAnnouncedSize() {
        SendProgress p = read("full\tbs/data@b\t67239536", "size\t67239536", "05:22:16\t134256\tbs/data@b",
                "05:22:17\t134256\tbs/data@b", "05:22:25\t61622768\tbs/data@b");
        assertThat(p.total()).isEqualTo(61_622_768);
        assertThat(p.completedTotal()).isEqualTo(67_239_536);
    }

    @Test
    void eachSnapshotOfAnIncrementalRangeCountsFromZeroAndTheirSumIsTheTotal() {
        SendProgress p = read("incremental\tb\tbs/data@c\t8412272", "incremental\tc\tbs/data@d\t8412272",
                "size\t16824544", "05:30:01\t4000000\tbs/data@c", "05:30:02\t8400000\tbs/data@c",
                "05:30:03\t1000000\tbs/data@d");
        assertThat(p.total()).isEqualTo(9_400_000);
        assertThat(p.completedTotal()).isEqualTo(2 * 8_412_272);
    }

    @Test
    void progressBeyondTheEstimateIsKept() {
        SendProgress p = read("incremental\tbs/data#bm\tbs/data@c\t100", "size\t100", "05:30:01\t5000\tbs/data@c");
        assertThat(p.completedTotal()).isEqualTo(5000);
    }

    @Test
    void theVerbosityTwoFormWithBlocksIsReadToo() {
        assertThat(read("05:30:01\t5000\t12\tp/a@s").total()).isEqualTo(5000);
    }

    @Test
    void aResumedSendsTokenContentsAreNotMessages() {
        SendProgress p = read("resume token contents:", "nvlist version: 0", "\tobject = 0x2", "\toffset = 0x2c0000",
                "\ttoname = bs/data@b", "full\tbs/data@b\t64215144", "size\t64215144", "");
        assertThat(p.total()).isZero();
        assertThat(p.completedTotal()).isEqualTo(64_215_144);
    }

    @Test
    void zfsSendsOwnMessagesAreNotProgress() {
        SendProgress p = new SendProgress();
        assertThat(p.read("cannot open 'bs/data@nope': dataset does not exist")).isFalse();
        assertThat(p.read("warning: cannot send 'p/a@s': Broken pipe")).isFalse();
        assertThat(p.total()).isZero();
    }

    @Test
    void verboseAddsTheFlagsRightAfterZfsSend() {
        assertThat(SendProgress.verbose(Command.reading("zfs", "send", "-t", "1-abc")).argv())
                .containsExactly("zfs", "send", "-v", "-P", "-t", "1-abc");
        Pipeline sender = Pipeline.of(Command.reading("zfs", "send", "-I", "@a", "p/x@b"), Command.reading("zstd", "-c"));
        assertThat(SendProgress.verbose(sender).stages()).extracting(Command::argv).containsExactly(
                List.of("zfs", "send", "-v", "-P", "-I", "@a", "p/x@b"), List.of("zstd", "-c"));
        assertThatThrownBy(() -> SendProgress.verbose(Command.reading("cat"))).isInstanceOf(IllegalArgumentException.class);
    }
}
