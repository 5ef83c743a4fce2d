package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Helper;
import org.zfssync.host.HelperState;
import org.zfssync.host.Host;
import org.zfssync.host.LocalHost;
import org.zfssync.host.Pipeline;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.ZfsVersion;

/**
 * The measurement's own scripts run for real under this machine's {@code sh}, with a fake
 * {@code zfs} whose send is a stream of text; the transport is a relay from this machine to itself.
 */
class CompressionProbeTest {
    private static final DatasetName DATASET = DatasetName.of("pool/ds");
    private static final List<Compression> ALL = List.of(Compression.lz4(), Compression.zstd(1), Compression.zstd(3));

    @TempDir
    Path tmp;

    private static CommandResult said(int exit, String stderr) {
        return new CommandResult(Command.reading("sh"), "src", exit, "", stderr);
    }

    private static final String TEXT_ZFS = String.join("\n",
            "case \"$1 $*\" in",
            "  *snapshot*) printf 'pool/ds/big@a\\npool/ds/big@b\\n' ;;",
            "  list*) printf 'pool/ds/big\\toff\\npool/ds/secret\\taes-256-gcm\\npool/ds\\toff\\n' ;;",
            "  send*) [ \"$2\" = -- ] && [ \"$3\" = pool/ds/big@b ] || exit 9; "
                    + "yes 'zfs-sync compression sample 0123456789 abcdefghij' | head -c 12000000 ;;",
            "esac");

    /**
     * The sample's stream as {@link CompressionProbe#measure} runs it, relayed from this machine to
     * itself, the source's script with a fake zfs first in PATH and TMPDIR in the test's directory.
     */
    private RunningStream.Ended runSample(String zfsBody, List<Compression> candidates) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path zfs = bin.resolve("zfs");
        Files.writeString(zfs, "#!/bin/sh\n" + zfsBody + "\n");
        Files.setPosixFilePermissions(zfs, PosixFilePermissions.fromString("rwx------"));
        TransferPipeline real = CompressionProbe.pipeline(DATASET, candidates);
        List<String> sender = new ArrayList<>(List.of("env", "PATH=" + bin + ":" + System.getenv("PATH"),
                "TMPDIR=" + tmp));
        sender.addAll(real.sender().stages().get(0).argv());
        TransferPipeline p = new TransferPipeline(Pipeline.of(Command.reading(sender)), real.receiver());
        Host local = new LocalHost((h, d, s) -> { });
        return new RelayTransport(local, local).start(p, null).await();
    }

    private CompressionSample measure(String zfsBody, List<Compression> candidates) throws Exception {
        return CompressionProbe.figures(runSample(zfsBody, candidates), "src", "dst", DATASET, "relay", candidates);
    }

    @Test
    void theScriptsMeasureARealSampleThroughARealRelay() throws Exception {
        RunningStream.Ended ended = runSample(TEXT_ZFS, ALL);
        assertThat(ended.sent().get(0).stderr()).as("the newest snapshot of the largest unencrypted dataset")
                .contains("snapshot pool/ds/big@b\n").containsPattern("(?m)^send \\d+ \\d+ "
                        + CompressionProbe.SAMPLE + "$");
        assertThat(ended.received().get(0).stderr()).containsPattern("(?m)^link \\d+ \\d+ "
                + CompressionProbe.SAMPLE + "$").containsPattern("(?m)^unpack lz4 \\d+ \\d+$")
                .containsPattern("(?m)^unpack zstd \\d+ \\d+$");
        CompressionSample sample = CompressionProbe.figures(ended, "src", "dst", DATASET, "relay", ALL);
        assertThat(sample.codecs()).extracting(CompressionSample.Codec::compression).containsExactlyElementsOf(ALL);
        assertThat(sample.codecs()).allSatisfy(c -> assertThat(c.ratio()).as("text compresses").isGreaterThan(5));
        assertThat(CompressionModel.decide(sample, 0).line()).startsWith("compress auto: ");
        try (var files = Files.list(tmp)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("the sample removed").containsExactly("bin");
        }
    }

    @Test
    void nothingToSampleIsSaidPlainly() {
        assertThatThrownBy(() -> measure("case \"$*\" in *snapshot*) ;; *) printf 'pool/ds\\toff\\n' ;; esac", ALL))
                .isInstanceOfSatisfying(CompressionProbe.NotMeasured.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("no snapshot of pool/ds on src to sample yet");
                    assertThat(e.failure()).isFalse();
                });
        assertThatThrownBy(() -> measure("printf 'pool/ds\\taes-256-gcm\\n'", ALL))
                .isInstanceOfSatisfying(CompressionProbe.NotMeasured.class, e -> assertThat(e.failure()).isFalse())
                .hasMessageContaining("encrypted");
        assertThatThrownBy(() -> measure(TEXT_ZFS.replace("12000000", "1300000"), ALL))
                .isInstanceOfSatisfying(CompressionProbe.NotMeasured.class, e -> assertThat(e.failure()).isFalse())
                .hasMessage("pool/ds/big@b on src has too little data to sample (251424 bytes)");
    }

    @Test
    void aFailingSendOrCompressorOrClockIsAFailureWithItsWords() throws Exception {
        assertThatThrownBy(() -> measure(TEXT_ZFS.replace("yes ", "echo 'cannot send: broken on purpose' >&2; "
                + "exit 1; yes "), ALL))
                .isInstanceOfSatisfying(CompressionProbe.NotMeasured.class, e -> assertThat(e.failure()).isTrue())
                .hasMessage("zfs send pool/ds/big@b on src failed: cannot send: broken on purpose");
        assertThatThrownBy(() -> measure("echo 'cannot open pool/ds: dataset does not exist' >&2; exit 1", ALL))
                .hasMessage("the sample through relay failed on local (exit 1): cannot open pool/ds: dataset does "
                        + "not exist");
        assertThatThrownBy(() -> CompressionProbe.SourceFigures.parse(said(0,
                "snapshot p@s\nsend 1700000000N 1700000000N 4194304\n"), "h", DATASET))
                .hasMessageContaining("no nanoseconds");
        assertThatThrownBy(() -> CompressionProbe.SourceFigures.parse(said(0,
                "snapshot p@s\nsend 1 2 4194304\nsenderr\nfail lz4 exit 3\n"), "h", DATASET).complete("h"))
                .hasMessage("compressing the sample on h failed: lz4 exit 3");
        assertThatThrownBy(() -> CompressionProbe.SourceFigures.parse(said(0, "boom"), "h", DATASET).complete("h"))
                .hasMessage("the sample on h said nothing usable");
        assertThatThrownBy(() -> CompressionProbe.TargetFigures.parse("link 1 2 100\n", "dst"))
                .hasMessageContaining("did not arrive");
        assertThatThrownBy(() -> CompressionProbe.TargetFigures.parse("link 1 200000000 4194304\nfail zstd\n", "dst"))
                .hasMessage("decompressing the sample on dst failed: zstd");
    }

    @Test
    void thePhasesOfEachScriptAreTimed() {
        assertThat(CompressionProbe.phases("clock start 1000000000\nsend 1500000000 1750000000 5\nclock end 2000000000\n",
                "start", "waiting", "send", "sending", "send2", "the rest", "end"))
                .isEqualTo("waiting 0.50 s, sending 0.25 s, the rest 0.25 s");
        assertThat(CompressionProbe.phases("clock start 1N\n", "start", "x", "end")).isEmpty();
    }

    @Test
    void figuresBecomeRates() throws Exception {
        CompressionProbe.SourceFigures src = CompressionProbe.SourceFigures.parse(said(0, String.join("\n",
                "Welcome to the banner", "snapshot p/d@s", "send 1000000000 1004000000 4194304", "senderr",
                "pack lz4 0 20000000 2097152", "pack zstd-3 0 100000000 1048576")), "h", DATASET).complete("h");
        assertThat(src.sendRate()).isEqualTo(4194304 / 0.004);
        CompressionProbe.TargetFigures dst = CompressionProbe.TargetFigures.parse(
                "ssh: a warning\nlink 0 1000000000 4259840\nunpack lz4 0 10000000\nunpack zstd 0 20000000\n", "dst");
        assertThat(dst.linkRate()).isEqualTo(4194304.0);
        CompressionSample s = dst.sample(src, List.of(Compression.lz4(), Compression.zstd(3)));
        assertThat(s.codecs()).containsExactly(
                new CompressionSample.Codec(Compression.lz4(), 2.0, 4194304 / 0.02, 4259840 / 0.01),
                new CompressionSample.Codec(Compression.zstd(3), 4.0, 4194304 / 0.1, 4259840 / 0.02));
        assertThatThrownBy(() -> dst.sample(src, List.of(Compression.zstd(1)))).hasMessage("no figures for zstd-1");
    }

    @Test
    void anExplicitModeOrNoCompressorOnBothEndsMeasuresNothing() {
        StreamShape shape = new StreamShape(List.of(Compression.zstd(3)));
        Host nowhere = new LocalHost((h, d, s) -> {
            throw new AssertionError("nothing may run: " + d);
        });
        HostReport both = report(Helper.ZSTD, Helper.LZ4);
        for (CompressionMode mode : List.of(CompressionMode.ZSTD, CompressionMode.LZ4, CompressionMode.NONE)) {
            CompressionProbe.Outcome o = CompressionProbe.settle(settings(mode), shape, true, nowhere, nowhere,
                    DATASET, new RelayTransport(nowhere, nowhere), both, both);
            assertThat(o.shape()).isEqualTo(shape);
            assertThat(o.note()).isEmpty();
        }
        assertThat(CompressionProbe.settle(settings(CompressionMode.AUTO), shape, false, nowhere, nowhere, DATASET,
                new RelayTransport(nowhere, nowhere), both, both).note()).as("no network hop").isEmpty();
        assertThat(CompressionProbe.settle(settings(CompressionMode.AUTO), shape, true, nowhere, nowhere, DATASET,
                new RelayTransport(nowhere, nowhere), report(Helper.ZSTD), report(Helper.LZ4)).note())
                .as("no compressor on both ends").isEmpty();
    }

    @Test
    void aFailedMeasurementKeepsThePreferenceWithAWarningLine() {
        StreamShape shape = new StreamShape(List.of(Compression.zstd(3), new Buffering(1 << 25, true, true)));
        Host broken = new FailingHost();
        HostReport both = report(Helper.ZSTD, Helper.LZ4);
        CompressionProbe.Outcome o = CompressionProbe.settle(settings(CompressionMode.AUTO), shape, true, broken,
                broken, DATASET, new RelayTransport(broken, broken), both, both);
        assertThat(o.shape()).isEqualTo(shape);
        assertThat(o.note()).contains("compress auto: zstd-3 (preferred; not measured: the measurement failed: "
                + "ssh: connect to host src port 22: Connection refused)");
    }

    @Test
    void theChosenCompressorReplacesThePreferredOneFirstInLine() {
        StreamShape shape = new StreamShape(List.of(Compression.zstd(3), new Buffering(1 << 25, true, true)));
        assertThat(shape.withCompression(java.util.Optional.of(Compression.lz4())).stages())
                .containsExactly(Compression.lz4(), new Buffering(1 << 25, true, true));
        assertThat(shape.withCompression(java.util.Optional.empty()).stages())
                .containsExactly(new Buffering(1 << 25, true, true));
        assertThat(shape.compression()).contains(Compression.zstd(3));
        assertThat(Compression.zstd(1).sending().orElseThrow().argv()).containsExactly("zstd", "-q", "-c", "-1");
        assertThat(new Compression(Helper.ZSTD)).isEqualTo(Compression.zstd(3));
        assertThatThrownBy(() -> new Compression(Helper.LZ4, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Compression.zstd(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A host that cannot be reached for a stream. */
    private static final class FailingHost implements Host {
        @Override
        public String name() {
            return "src";
        }

        @Override
        public boolean isLocal() {
            return false;
        }

        @Override
        public CommandResult run(Command command) {
            return new CommandResult(command, "src", 2, "", "sh: date: not found");
        }

        @Override
        public <T> org.zfssync.host.Parsed<T> read(Command command, org.zfssync.host.OutputParser<T> parser) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<CommandResult> runAll(List<Command> commands) {
            return commands.stream().map(this::run).toList();
        }

        @Override
        public org.zfssync.host.RunningPipeline start(org.zfssync.host.Pipeline pipeline) {
            throw new org.zfssync.host.HostUnreachableException("ssh: connect to host src port 22: Connection refused");
        }

        @Override
        public String display(Command command) {
            return command.toString();
        }

        @Override
        public String display(org.zfssync.host.Pipeline pipeline) {
            return pipeline.toString();
        }

        @Override
        public void close() {
        }
    }

    private static TransferSettings settings(CompressionMode mode) {
        return new TransferSettings(RetryPolicy.defaults(), java.time.Duration.ofMinutes(1), 0, mode, 0, 1);
    }

    private static HostReport report(Helper... ok) {
        Map<Helper, HelperState> states = new java.util.EnumMap<>(Helper.class);
        for (Helper h : ok) {
            states.put(h, new HelperState(h, HelperState.Status.OK, ""));
        }
        return new HostReport("h", ZfsVersion.parse("zfs-2.1.11-1"), states);
    }
}
