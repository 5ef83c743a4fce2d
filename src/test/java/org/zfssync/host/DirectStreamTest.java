package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The direct stream's session script, run by this machine's {@code /bin/sh} with the hop to the
 * target played by a local {@code sh -c} (what sshd would run): the first stage's progress
 * arrives live on stdout, its other messages still count as its stderr, and every stage on both
 * "hosts" keeps its own exit status and stderr.
 */
class DirectStreamTest {
    private static final String OUTER = "zsouter01";
    private static final String INNER = "zsinner01";
    /** Reads progress as zfs send -v -P's is read: here, a line of digits is progress. */
    private static final ProgressLines DIGITS = line -> line.matches("\\d+");
    /** Plays ssh: the remote side runs the line with a shell. */
    private static final Function<String, Command> LOCAL_HOP = line -> Command.changing("sh", "-c", line);

    private record Ran(String progress, DirectStream.Results results) {
    }

    /** Plays zfs send -v -P: writes {@code data}, then reports its length on stderr. */
    private static Pipeline sending(String data) {
        return Pipeline.of(Command.reading("sh", "-c", "printf %s \"$0\"; echo ${#0} >&2", data));
    }

    private static Ran run(Pipeline sender, Function<String, Command> hop, Pipeline receiver)
            throws IOException, InterruptedException {
        Pipeline whole = DirectStream.session(sender, hop, receiver, INNER);
        Process p = new ProcessBuilder("sh", "-c", StageScript.render(whole, OUTER, 0)).start();
        p.getOutputStream().close();
        OutputCollector err = OutputCollector.start(p.getErrorStream(), 1 << 16, "stderr");
        StringBuilder progress = new StringBuilder();
        StringBuilder said = new StringBuilder();
        DirectStream.readProgress(p.getInputStream(), line -> DIGITS.read(line) && progress.append(line) != null, said);
        p.waitFor();
        List<CommandResult> all = StageScript.decode(whole, OUTER, "src", err.await());
        return new Ran(progress.toString(), DirectStream.split(DirectStream.withMeterSaid(all, said), receiver, INNER,
                "src", "dst"));
    }

    @Test
    void dataReachesTheReceiverAndTheCountArrivesOnStdout(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("received");
        Ran ran = run(sending("0123456789"), LOCAL_HOP,
                Pipeline.of(Command.reading("cat"), Command.changing("sh", "-c", "cat > " + file)));
        assertThat(Files.readString(file)).isEqualTo("0123456789");
        assertThat(ran.progress()).isEqualTo("10");
        assertThat(ran.results().sent().get(0).stderr()).as("progress is not an error message").isEmpty();
        assertThat(ran.results().sent()).hasSize(1).allMatch(CommandResult::ok).allMatch(r -> r.host().equals("src"));
        assertThat(ran.results().received()).hasSize(2).allMatch(CommandResult::ok)
                .allMatch(r -> r.host().equals("dst"));
    }

    @Test
    void aReceivingStageThatFailsIsNamedWithTheTargetAndItsStderr() throws Exception {
        Ran ran = run(sending("data"), LOCAL_HOP,
                Pipeline.of(Command.reading("cat"), Command.changing("sh", "-c",
                        "cat >/dev/null; echo 'cannot receive: out of space' >&2; exit 1")));
        CommandResult failed = ran.results().received().get(1);
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.host()).isEqualTo("dst");
        assertThat(failed.stderr()).contains("out of space");
        assertThat(ran.results().received().get(0).ok()).isTrue();
        assertThat(ran.results().sent()).allMatch(CommandResult::ok);
    }

    @Test
    void aSendingStageThatFailsIsNamedWithTheSourceAndItsMessagesBesideItsProgress() throws Exception {
        Ran ran = run(Pipeline.of(Command.reading("sh", "-c", "echo 42 >&2; echo 'dataset does not exist' >&2; exit 1")),
                LOCAL_HOP, Pipeline.of(Command.changing("sh", "-c", "cat >/dev/null")));
        CommandResult failed = ran.results().sent().get(0);
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.host()).isEqualTo("src");
        assertThat(failed.stderr()).isEqualTo("dataset does not exist\n");
        assertThat(ran.progress()).isEqualTo("42");
    }

    @Test
    void aHopThatCannotConnectSaysFromWhereToWhere() throws Exception {
        Function<String, Command> refused = line -> Command.changing("sh", "-c",
                "cat >/dev/null; echo 'ssh: connect to host 10.9.9.9 port 22: No route to host' >&2; exit 255");
        Ran ran = run(sending("data"), refused,
                Pipeline.of(Command.reading("cat"), Command.changing("sh", "-c", "cat >/dev/null")));
        assertThat(ran.results().received()).hasSize(2).allSatisfy(r -> {
            assertThat(r.exitCode()).isEqualTo(SshHost.SSH_FAILURE);
            assertThat(r.host()).isEqualTo("dst");
            assertThat(r.stderr()).contains("the ssh from src to dst failed").contains("No route to host");
        });
    }

    @Test
    void theHopRunsSshWithoutPasswordsOrForwarding() {
        DirectStream.Link link = new DirectStream.Link("root@10.0.0.2", false);
        assertThat(link.probe().argv()).containsExactly("ssh", "-o", "BatchMode=yes", "-o", "ForwardAgent=no",
                "root@10.0.0.2", "true");
        assertThat(new DirectStream.Link("[fe80::1]", false).probe().argv()).contains("fe80::1");
    }

    @Test
    void aDirectAddressThatSshWouldReadAsAnOptionIsRefused() {
        assertThatThrownBy(() -> new DirectStream.Link("-oProxyCommand=x", false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid direct target address");
        assertThatThrownBy(() -> new DirectStream.Link("a b", false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRateCapIsAPvOnOneSideAndWithoutOneThereIsNoPv() {
        Pipeline send = Pipeline.of(Command.reading("zfs", "send", "-v", "-P", "p/a@s"));
        assertThat(RateCap.none().sending(send)).isEqualTo(send);
        assertThat(new RateCap(1_048_576, false).sending(send).stages().get(1).argv())
                .containsExactly("pv", "-q", "-L", "1048576");
        RateCap onTarget = new RateCap(1_048_576, true);
        assertThat(onTarget.sending(send)).isEqualTo(send);
        Pipeline receive = Pipeline.of(Command.changing("zfs", "receive", "p/a"));
        assertThat(onTarget.receiving(receive).stages().get(0).argv()).containsExactly("pv", "-q", "-L", "1048576");
        assertThat(new RateCap(1_048_576, false).receiving(receive)).isEqualTo(receive);
        assertThat(RateCap.none().receiving(receive)).isEqualTo(receive);
    }
}
