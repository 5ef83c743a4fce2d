package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The remote pipeline script, run by this machine's {@code /bin/sh} (dash on Debian: no
 * pipefail), must still report every stage's own exit status and stderr.
 */
class StageScriptTest {
    private static final String TAG = "zstest0123";

    /** Runs the script as ssh's remote side would, returning the data and the decoded stages. */
    private static Ran run(Pipeline pipeline, String input) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", StageScript.render(pipeline, TAG)).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        OutputCollector err = OutputCollector.start(p.getErrorStream(), 1 << 16, "stderr");
        String out = readAll(p.getInputStream());
        p.waitFor();
        return new Ran(out, StageScript.decode(pipeline, TAG, "h", err.await()));
    }

    private record Ran(String data, List<CommandResult> stages) {
        int exit(int i) {
            return stages.get(i).exitCode();
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static Command sh(String script) {
        return Command.reading("sh", "-c", script);
    }

    @Test
    void dataFlowsThroughEveryStageUntouchedByTheStatusReporting() throws Exception {
        Ran r = run(Pipeline.of(Command.reading("cat"), Command.reading("tr", "a-z", "A-Z"), Command.reading("cat")),
                "hello\nworld\n");
        assertThat(r.data()).isEqualTo("HELLO\nWORLD\n");
        assertThat(r.stages()).extracting(CommandResult::exitCode).containsExactly(0, 0, 0);
        assertThat(r.stages()).allSatisfy(s -> assertThat(s.stderr()).isEmpty());
    }

    @Test
    void aFailingMiddleStageIsReportedWithItsOwnStatusAndStderrWhileTheLastSucceeds() throws Exception {
        Ran r = run(Pipeline.of(Command.reading("cat"), sh("cat >/dev/null; echo 'mbuffer: out of memory' >&2; exit 3"),
                Command.reading("cat")), "data");
        assertThat(r.exit(1)).isEqualTo(3);
        assertThat(r.stages().get(1).stderr()).isEqualTo("mbuffer: out of memory\n");
        assertThat(r.exit(2)).as("what a shell without pipefail would report").isZero();
        assertThat(r.exit(0)).isZero();
    }

    @Test
    void eachStageKeepsItsOwnStderr() throws Exception {
        Ran r = run(Pipeline.of(sh("echo first >&2; cat"), sh("echo second >&2; cat")), "x");
        assertThat(r.data()).isEqualTo("x");
        assertThat(r.stages().get(0).stderr()).isEqualTo("first\n");
        assertThat(r.stages().get(1).stderr()).isEqualTo("second\n");
    }

    @Test
    void aMissingProgramIsExit127NamingIt() throws Exception {
        Ran r = run(Pipeline.of(Command.reading("cat"), Command.reading("zfs-sync-no-such-program")), "x");
        assertThat(r.exit(1)).isEqualTo(127);
        assertThat(r.stages().get(1).stderr()).contains("zfs-sync-no-such-program").contains("not found");
    }

    @Test
    void argumentsWithShellSyntaxArriveIntact() throws Exception {
        Ran r = run(Pipeline.of(Command.reading("printf", "%s|", "a b", "$(x)", "it's"), Command.reading("cat")), "");
        assertThat(r.data()).isEqualTo("a b|$(x)|it's|");
    }

    @Test
    void stagesWithoutAStatusGetSshsOwnFailureAndMessage() {
        Pipeline p = Pipeline.of(Command.reading("cat"), Command.reading("cat"));
        String stderr = TAG + " 0 " + TAG + "-exit 0\nclient_loop: send disconnect: Broken pipe\n";
        List<CommandResult> results = StageScript.decode(p, TAG, "h", stderr);
        assertThat(results.get(0).exitCode()).isZero();
        assertThat(results.get(1).exitCode()).isEqualTo(255);
        assertThat(results.get(1).stderr()).contains("client_loop: send disconnect: Broken pipe");
    }

    @Test
    void aLostConnectionWithoutAnyMessageSaysSo() {
        Pipeline p = Pipeline.of(Command.reading("cat"), Command.reading("cat"));
        List<CommandResult> results = StageScript.decode(p, TAG, "h", "");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.exitCode()).isEqualTo(255);
            assertThat(r.stderr()).contains("connection was lost");
        });
    }
}
