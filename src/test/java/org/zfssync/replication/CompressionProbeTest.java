package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

    private static CommandResult said(int exit, String stdout) {
        return new CommandResult(Command.reading("sh"), "src", exit, stdout, "");
    }

    /** The source script with a fake zfs first in PATH and TMPDIR in the test's directory. */
    private CommandResult runSourceScript(String zfsBody, String... codecs) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path zfs = bin.resolve("zfs");
        Files.writeString(zfs, "#!/bin/sh\n" + zfsBody + "\n");
        Files.setPosixFilePermissions(zfs, PosixFilePermissions.fromString("rwx------"));
        List<String> argv = new java.util.ArrayList<>(List.of("sh", "-c", CompressionProbe.SOURCE_SCRIPT, "sh",
                DATASET.value(), Integer.toString(CompressionProbe.SKIP), Integer.toString(CompressionProbe.SAMPLE)));
        argv.addAll(List.of(codecs));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("TMPDIR", tmp.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new CommandResult(Command.reading(argv), "local", p.waitFor(), out, err);
    }

    private static final String TEXT_ZFS = String.join("\n",
            "case \"$1 $*\" in",
            "  *snapshot*) printf 'pool/ds/big@a\\npool/ds/big@b\\n' ;;",
            "  list*) printf 'pool/ds/big\\toff\\npool/ds/secret\\taes-256-gcm\\npool/ds\\toff\\n' ;;",
            "  send*) [ \"$2\" = -- ] && [ \"$3\" = pool/ds/big@b ] || exit 9; "
                    + "yes 'zfs-sync compression sample 0123456789 abcdefghij' | head -c 12000000 ;;",
            "esac");

    @Test
    void theScriptsMeasureARealSampleThroughARealRelay() throws Exception {
        CommandResult source = runSourceScript(TEXT_ZFS, "lz4", "zstd-1", "zstd-3");
        assertThat(source.exitCode()).as(source.toString()).isZero();
        CompressionProbe.SourceFigures src = CompressionProbe.SourceFigures.parse(source, "local", DATASET);
        assertThat(src.snapshot()).as("the newest snapshot of the largest unencrypted dataset")
                .isEqualTo("pool/ds/big@b");
        assertThat(src.sampleBytes()).isEqualTo(CompressionProbe.SAMPLE);
        assertThat(Files.size(Path.of(src.dir(), "s"))).isEqualTo(CompressionProbe.SAMPLE);

        Host local = new LocalHost((h, d, s) -> { });
        CompressionSample sample = CompressionProbe.TargetFigures.parse(linkStderr(local, src), "local")
                .sample(src, ALL);
        assertThat(sample.codecs()).extracting(CompressionSample.Codec::compression).containsExactlyElementsOf(ALL);
        assertThat(sample.codecs()).allSatisfy(c -> assertThat(c.ratio()).as("text compresses").isGreaterThan(5));
        assertThat(sample.sendRate()).isPositive();
        assertThat(sample.linkRate()).isPositive();
        assertThat(CompressionModel.decide(sample, 0).line()).startsWith("compress auto: ");
        assertThat(local.run(Command.reading("rm", "-rf", "--", src.dir())).ok()).isTrue();
    }

    private static String linkStderr(Host local, CompressionProbe.SourceFigures src) {
        // As measureLink runs it: the real target script at the end of a relayed stream.
        TransferPipeline p = new TransferPipeline(
                org.zfssync.host.Pipeline.of(Command.reading("cat", "--", src.dir() + "/s")),
                org.zfssync.host.Pipeline.of(Command.reading("sh", "-c", CompressionProbe.TARGET_SCRIPT, "sh", "lz4",
                        "zstd")));
        RunningStream.Ended ended = new RelayTransport(local, local).start(p, null).await();
        assertThat(ended.received()).allSatisfy(r -> assertThat(r.exitCode()).as(r.stderr()).isZero());
        return ended.received().get(0).stderr();
    }

    @Test
    void theWholeMeasurementLeavesNothingBehind() throws Exception {
        CommandResult source = runSourceScript(TEXT_ZFS, "lz4");
        CompressionProbe.SourceFigures src = CompressionProbe.SourceFigures.parse(source, "local", DATASET);
        Host local = new LocalHost((h, d, s) -> { });
        String stderr = linkStderr(local, src);
        assertThat(stderr).containsPattern("(?m)^link \\d+ \\d+ " + CompressionProbe.SAMPLE + "$")
                .containsPattern("(?m)^unpack lz4 \\d+ \\d+$");
        try (var files = Files.list(tmp)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("only the source's sample is left, and its "
                    + "own files only").containsExactlyInAnyOrder("bin", Path.of(src.dir()).getFileName().toString());
        }
        try (var files = Files.list(Path.of(src.dir()))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("s");
        }
    }

    @Test
    void nothingToSampleIsSaidPlainly() throws Exception {
        CommandResult noSnapshot = runSourceScript("case \"$*\" in *snapshot*) ;; *) printf 'pool/ds\\toff\\n' ;; esac");
        assertThatThrownBy(() -> CompressionProbe.SourceFigures.parse(noSnapshot, "h", DATASET))
                .isInstanceOfSatisfying(CompressionProbe.NotMeasured.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("no snapshot of pool/ds on h to sample yet");
                    assertThat(e.failure()).isFalse();
                });
        CommandResult encrypted = runSourceScript("printf 'pool/ds\\taes-256-gcm\\n'");
        assertThatThrownBy(() -> CompressionProbe.SourceFigures.parse(encrypted, "h", DATASET))
                .isInstanceOfSatisfying(CompressionProbe.NotMeasured.class, e -> assertThat(e.failure()).isFalse())
                .hasMessageContaining("encrypted");
        CommandResult tiny = runSourceScript(TEXT_ZFS.replace("12000000", "300000"), "lz4");
        assertThatThrownBy(() -> CompressionProbe.SourceFigures.parse(tiny, "h", DATASET))
                .hasMessageContaining("too little data to sample (37856 bytes)");
    }

    @Test
    void aFailingSendOrCompressorOrClockIsAFailureWithItsWords() throws Exception {
        CommandResult send = runSourceScript(TEXT_ZFS.replace("yes ", "echo 'cannot send: broken on purpose' >&2; "
                + "exit 1; yes "), "lz4");
        assertThatThrownBy(() -> CompressionProbe.SourceFigures.parse(send, "h", DATASET))
                .isInstanceOfSatisfying(CompressionProbe.NotMeasured.class, e -> assertThat(e.failure()).isTrue())
                .hasMessage("zfs send pool/ds/big@b on h failed: cannot send: broken on purpose");
        assertThatThrownBy(() -> CompressionProbe.SourceFigures.parse(said(0,
                "dir /tmp/zfs-sync-sample.abcdef\nsnapshot p@s\nsend 1700000000N 1700000000N 4194304\n"), "h", DATASET))
                .hasMessageContaining("no nanoseconds");
        assertThatThrownBy(() -> CompressionProbe.SourceFigures.parse(said(0,
                "dir /tmp/zfs-sync-sample.abcdef\nsnapshot p@s\nsend 1 2 4194304\nsenderr\nfail lz4 exit 3\n"), "h",
                DATASET)).hasMessage("compressing the sample on h failed: lz4 exit 3");
        assertThatThrownBy(() -> CompressionProbe.SourceFigures.parse(said(1, "boom"), "h", DATASET))
                .hasMessage("the sample on h failed (exit 1): boom");
        assertThatThrownBy(() -> CompressionProbe.TargetFigures.parse("link 1 2 100\n", "dst"))
                .hasMessageContaining("did not arrive");
        assertThatThrownBy(() -> CompressionProbe.TargetFigures.parse("link 1 200000000 4194304\nfail zstd\n", "dst"))
                .hasMessage("decompressing the sample on dst failed: zstd");
    }

    @Test
    void figuresBecomeRates() throws Exception {
        CompressionProbe.SourceFigures src = CompressionProbe.SourceFigures.parse(said(0, String.join("\n",
                "Welcome to the banner", "dir /tmp/zfs-sync-sample.abcdef", "snapshot p/d@s",
                "send 1000000000 1004000000 4194304", "senderr", "pack lz4 0 20000000 2097152",
                "pack zstd-3 0 100000000 1048576")), "h", DATASET);
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
    void onlyADirectoryMktempMadeIsEverRemoved() {
        assertThat(CompressionProbe.tempDir("x\ndir /tmp/zfs-sync-sample.Ab12Cd\n")).contains(
                "/tmp/zfs-sync-sample.Ab12Cd");
        assertThat(CompressionProbe.tempDir("dir /\n")).isEmpty();
        assertThat(CompressionProbe.tempDir("dir /tmp/../etc/zfs-sync-sample.abcdef\n")).isEmpty();
        assertThat(CompressionProbe.tempDir("dir relative/zfs-sync-sample.abcdef\n")).isEmpty();
        assertThat(CompressionProbe.tempDir("dir /tmp/zfs-sync-sample.\n")).isEmpty();
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
        assertThat(o.note()).contains("compress auto: zstd-3 (preferred; not measured: the sample on src failed "
                + "(exit 2): sh: date: not found)");
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

    /** A host whose every command fails as a shell without {@code date} would. */
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
            throw new AssertionError("no stream after a failed sample");
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
