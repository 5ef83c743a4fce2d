package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.zfssync.host.Command;
import org.zfssync.host.Helper;
import org.zfssync.host.HelperState;
import org.zfssync.host.MissingToolException;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.ZfsVersion;

class ShapeChooserTest {
    private static final HelperState.Status OK = HelperState.Status.OK;
    private static final HelperState.Status MISSING = HelperState.Status.MISSING;
    private static final HelperState.Status BROKEN = HelperState.Status.BROKEN;

    private static TransferSettings settings(CompressionMode mode, long buffer) {
        return new TransferSettings(RetryPolicy.defaults(), Duration.ofMinutes(1), 0, mode, buffer, 1);
    }

    private static HostReport host(String name, HelperState.Status mbuffer, HelperState.Status zstd,
            HelperState.Status lz4) {
        Map<Helper, HelperState> states = new EnumMap<>(Helper.class);
        states.put(Helper.MBUFFER, new HelperState(Helper.MBUFFER, mbuffer, mbuffer == BROKEN ? "exit 1: mbuffer: bad" : ""));
        states.put(Helper.ZSTD, new HelperState(Helper.ZSTD, zstd, ""));
        states.put(Helper.LZ4, new HelperState(Helper.LZ4, lz4, ""));
        return new HostReport(name, ZfsVersion.parse("zfs-2.3.1-1"), states);
    }

    private static final HostReport EVERYTHING = host("a", OK, OK, OK);

    @Test
    void noNetworkHopMeansNoHelpersAtAll() {
        TransferSettings s = settings(CompressionMode.ZSTD, TransferSettings.DEFAULT_BUFFER);
        assertThat(ShapeChooser.helpersToProbe(s, false)).isEmpty();
        assertThat(ShapeChooser.choose(s, EVERYTHING, EVERYTHING, false).shape().stages()).isEmpty();
    }

    @Test
    void autoPrefersZstdAndBuffersBothEnds() {
        ShapeChooser.Choice c = ShapeChooser.choose(settings(CompressionMode.AUTO, 1 << 25), EVERYTHING, EVERYTHING,
                true);
        assertThat(c.shape().stages()).containsExactly(new Compression(Helper.ZSTD), new Buffering(1 << 25, true, true));
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void autoFallsBackToLz4WhenOneEndLacksZstd() {
        ShapeChooser.Choice c = ShapeChooser.choose(settings(CompressionMode.AUTO, 0), EVERYTHING,
                host("b", OK, MISSING, OK), true);
        assertThat(c.shape().stages()).containsExactly(new Compression(Helper.LZ4));
    }

    @Test
    void autoWithoutAnyCompressorWarnsAndSendsUncompressed() {
        ShapeChooser.Choice c = ShapeChooser.choose(settings(CompressionMode.AUTO, 0), EVERYTHING,
                host("b", OK, MISSING, MISSING), true);
        assertThat(c.shape().stages()).isEmpty();
        assertThat(c.warnings()).singleElement().asString().contains("uncompressed");
    }

    @Test
    void aMissingMbufferOnOneEndIsAWarningAndTheOtherEndKeepsIts() {
        ShapeChooser.Choice c = ShapeChooser.choose(settings(CompressionMode.NONE, 1 << 25), EVERYTHING,
                host("b", MISSING, OK, OK), true);
        assertThat(c.shape().stages()).containsExactly(new Buffering(1 << 25, true, false));
        assertThat(c.warnings()).singleElement().asString().contains("mbuffer", "not installed on b", "--no-mbuffer");
    }

    @Test
    void aBrokenMbufferStopsTheRunWithItsErrorAndTheWayOut() {
        assertThatThrownBy(() -> ShapeChooser.choose(settings(CompressionMode.NONE, 1 << 25), EVERYTHING,
                host("b", BROKEN, OK, OK), true))
                .isInstanceOf(MissingToolException.class)
                .hasMessageContaining("on b").hasMessageContaining("mbuffer: bad").hasMessageContaining("--no-mbuffer");
    }

    @Test
    void aCompressorTheUserNamedMustBeOnBothEnds() {
        assertThatThrownBy(() -> ShapeChooser.choose(settings(CompressionMode.ZSTD, 0), EVERYTHING,
                host("b", OK, MISSING, OK), true))
                .isInstanceOf(MissingToolException.class).hasMessageContaining("on b").hasMessageContaining("zstd");
    }

    @Test
    void withoutASizeFromTheUserAnUncappedStreamHasNoMbuffer() {
        TransferSettings unset = settings(CompressionMode.NONE, TransferSettings.BUFFER_UNSET);
        assertThat(ShapeChooser.helpersToProbe(unset, true)).as("not even probed").isEmpty();
        assertThat(ShapeChooser.choose(unset, EVERYTHING, EVERYTHING, true).shape().stages()).isEmpty();
    }

    @Test
    void aCappedStreamIsBufferedOnBothEnds() {
        TransferSettings capped = new TransferSettings(RetryPolicy.defaults(), Duration.ofMinutes(1), 1 << 20,
                CompressionMode.NONE, TransferSettings.BUFFER_UNSET, 1);
        assertThat(ShapeChooser.choose(capped, EVERYTHING, EVERYTHING, true).shape().stages())
                .containsExactly(new Buffering(TransferSettings.DEFAULT_BUFFER, true, true));
        TransferSettings cappedUnbuffered = new TransferSettings(RetryPolicy.defaults(), Duration.ofMinutes(1), 1 << 20,
                CompressionMode.NONE, 0, 1);
        assertThat(ShapeChooser.choose(cappedUnbuffered, EVERYTHING, EVERYTHING, true).shape().stages())
                .as("--no-mbuffer wins").isEmpty();
    }

    @Test
    void aSizeFromTheUserBuffersEveryStream() {
        ShapeChooser.Choice c = ShapeChooser.choose(settings(CompressionMode.ZSTD, 1 << 21), EVERYTHING, EVERYTHING,
                true);
        assertThat(c.shape().stages()).containsExactly(new Compression(Helper.ZSTD), new Buffering(1 << 21, true, true));
    }

    @Test
    void probesOnlyWhatTheSettingsMayUse() {
        assertThat(ShapeChooser.helpersToProbe(settings(CompressionMode.NONE, 0), true)).isEmpty();
        assertThat(ShapeChooser.helpersToProbe(settings(CompressionMode.LZ4, 1 << 25), true))
                .containsExactlyInAnyOrder(Helper.LZ4, Helper.MBUFFER);
    }

    @Nested
    class Shapes {
        private final Command send = Command.reading("zfs", "send", "p/a@s");
        private final Command receive = Command.changing("zfs", "receive", "-s", "q/a");
        private final StreamShape shape = new StreamShape(java.util.List.of(new Compression(Helper.ZSTD),
                new Buffering(1 << 25, true, true)));

        @Test
        void stagesWrapTheStreamInsideOut() {
            TransferPipeline p = shape.around(send, receive, SendFlags.none());
            assertThat(p.sender().toString()).isEqualTo("zfs send p/a@s | zstd -q -c -3 | mbuffer -q -s 128k -m 32768k");
            assertThat(p.receiver().toString())
                    .isEqualTo("mbuffer -q -s 128k -m 32768k | zstd -q -d -c | zfs receive -s q/a");
        }

        @Test
        void rawAndCompressedStreamsAreNotCompressedAgain() {
            assertThat(shape.around(send, receive, SendFlags.none().withRaw(true)).sender().toString())
                    .doesNotContain("zstd");
            assertThat(shape.around(send, receive, new SendFlags(false, true, false, false, false)).receiver()
                    .toString()).doesNotContain("zstd");
        }
    }
}
