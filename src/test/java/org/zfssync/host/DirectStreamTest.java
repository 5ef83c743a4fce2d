package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The direct stream's session script, run by this machine's {@code /bin/sh} with the hop to the
 * target played by a local {@code sh -c} (what sshd would run): the counter's figures arrive live
 * on stdout, and every stage on both "hosts" keeps its own exit status and stderr.
 */
class DirectStreamTest {
    private static final String OUTER = "zsouter01";
    private static final String INNER = "zsinner01";
    /** Plays the counter: passes the data on, then reports a byte count on stderr as {@code pv -n -b} does. */
    private static final Command COUNTER = Command.reading("sh", "-c", "cat; echo 10 >&2");
    /** Plays ssh: the remote side runs the line with a shell. */
    private static final Function<String, Command> LOCAL_HOP = line -> Command.changing("sh", "-c", line);

    private record Ran(String stdout, DirectStream.Results results) {
    }

    private static Ran run(Pipeline sender, Function<String, Command> hop, Pipeline receiver)
            throws IOException, InterruptedException {
        Pipeline whole = DirectStream.session(sender, COUNTER, hop, receiver, INNER);
        Process p = new ProcessBuilder("sh", "-c", StageScript.render(whole, OUTER, sender.size())).start();
        p.getOutputStream().close();
        OutputCollector err = OutputCollector.start(p.getErrorStream(), 1 << 16, "stderr");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        p.waitFor();
        List<CommandResult> all = StageScript.decode(whole, OUTER, "src", err.await());
        return new Ran(out.toString(StandardCharsets.UTF_8),
                DirectStream.split(all, sender.size(), receiver, INNER, "src", "dst"));
    }

    @Test
    void dataReachesTheReceiverAndTheCountArrivesOnStdout(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("received");
        Ran ran = run(Pipeline.of(Command.reading("printf", "0123456789")), LOCAL_HOP,
                Pipeline.of(Command.reading("cat"), Command.changing("sh", "-c", "cat > " + file)));
        assertThat(Files.readString(file)).isEqualTo("0123456789");
        assertThat(ran.stdout().strip()).isEqualTo("10");
        assertThat(ran.results().sent()).hasSize(2).allMatch(CommandResult::ok).allMatch(r -> r.host().equals("src"));
        assertThat(ran.results().received()).hasSize(2).allMatch(CommandResult::ok)
                .allMatch(r -> r.host().equals("dst"));
    }

    @Test
    void aReceivingStageThatFailsIsNamedWithTheTargetAndItsStderr() throws Exception {
        Ran ran = run(Pipeline.of(Command.reading("printf", "data")), LOCAL_HOP,
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
    void aSendingStageThatFailsIsNamedWithTheSource() throws Exception {
        Ran ran = run(Pipeline.of(Command.reading("sh", "-c", "echo 'dataset does not exist' >&2; exit 1")), LOCAL_HOP,
                Pipeline.of(Command.changing("sh", "-c", "cat >/dev/null")));
        CommandResult failed = ran.results().sent().get(0);
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.host()).isEqualTo("src");
        assertThat(failed.stderr()).contains("dataset does not exist");
    }

    @Test
    void aHopThatCannotConnectSaysFromWhereToWhere() throws Exception {
        Function<String, Command> refused = line -> Command.changing("sh", "-c",
                "cat >/dev/null; echo 'ssh: connect to host 10.9.9.9 port 22: No route to host' >&2; exit 255");
        Ran ran = run(Pipeline.of(Command.reading("printf", "data")), refused,
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
    void theCounterCapsTheRateOnlyWhenAsked() {
        assertThat(RateCap.none().counter().argv()).containsExactly("pv", "-n", "-b", "-i", "1");
        assertThat(new RateCap(1_048_576, false).counter().argv()).endsWith("-L", "1048576");
        RateCap onTarget = new RateCap(1_048_576, true);
        assertThat(onTarget.counter().argv()).containsExactly("pv", "-n", "-b", "-i", "1");
        Pipeline receive = Pipeline.of(Command.changing("zfs", "receive", "p/a"));
        assertThat(onTarget.receiving(receive).stages().get(0).argv()).containsExactly("pv", "-q", "-L", "1048576");
        assertThat(new RateCap(1_048_576, false).receiving(receive)).isEqualTo(receive);
        assertThat(RateCap.none().receiving(receive)).isEqualTo(receive);
    }
}
