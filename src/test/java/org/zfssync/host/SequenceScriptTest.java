package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The remote sequence script, run by this machine's {@code /bin/sh} the way ssh's remote side runs
 * it (through the login line): commands take turns on one stdin and one stdout, each keeps its
 * own exit status and stderr, and the first failure ends the sequence.
 */
class SequenceScriptTest {
    private static final String TAG = "zstest0123";

    private record Ran(String data, List<CommandResult> results) {
        int exit(int i) {
            return results.get(i).exitCode();
        }
    }

    /** Runs the script as a login shell would run its remote line ({@code sh -c '...'}). */
    private static Ran run(List<Command> commands, String input) throws IOException, InterruptedException {
        String line = ShellQuote.loginScript(SequenceScript.render(commands, TAG));
        Process p = new ProcessBuilder("sh", "-c", line).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        OutputCollector err = OutputCollector.start(p.getErrorStream(), 1 << 16, "stderr");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        p.waitFor();
        return new Ran(out.toString(StandardCharsets.UTF_8), SequenceScript.decode(commands, TAG, "h", err.await()));
    }

    private static Command sh(String script) {
        return Command.reading("sh", "-c", script);
    }

    @Test
    void eachCommandReadsItsOwnPartOfTheSharedInputAndWritesInTurn() throws Exception {
        // Like zfs receive, each reads exactly its own stream (here: one line) and no further.
        Ran r = run(List.of(sh("read a; echo \"1:$a\""), sh("read b; echo \"2:$b\"; echo note >&2"),
                Command.reading("head", "-c", "2")), "x\ny\nzz");
        assertThat(r.data()).isEqualTo("1:x\n2:y\nzz");
        assertThat(r.results()).extracting(CommandResult::exitCode).containsExactly(0, 0, 0);
        assertThat(r.results().get(0).stderr()).isEmpty();
        assertThat(r.results().get(1).stderr()).isEqualTo("note\n");
    }

    @Test
    void theFirstFailureEndsTheSequenceWithItsStatusAndStderrAndTheRestSayTheyDidNotRun() throws Exception {
        Ran r = run(List.of(sh("echo one"), sh("printf 'cannot receive: no parent' >&2; exit 5"), sh("echo three")),
                "");
        assertThat(r.data()).isEqualTo("one\n");
        assertThat(r.exit(0)).isZero();
        assertThat(r.exit(1)).isEqualTo(5);
        assertThat(r.results().get(1).stderr()).as("even without a final newline").isEqualTo("cannot receive: no parent\n");
        assertThat(r.exit(2)).isEqualTo(SshHost.SSH_FAILURE);
        assertThat(r.results().get(2).stderr()).startsWith("not run: `sh -c 'printf").contains("(exit 5) failed before it on h");
    }

    @Test
    void argumentsWithQuotesSpacesAndNewlinesArriveUnchanged() throws Exception {
        Ran r = run(List.of(Command.reading("printf", "%s|", "it's", "a b", "x\ny", "!x")), "");
        assertThat(r.data()).isEqualTo("it's|a b|x\ny|!x|");
    }

    @Test
    void withoutAnyStatusTheConnectionWasLostAndSshHasTheWord() {
        List<Command> commands = List.of(sh("a"), sh("b"));
        List<CommandResult> r = SequenceScript.decode(commands, TAG, "h", "ssh: connect to host h port 22: refused\n");
        assertThat(r).extracting(CommandResult::exitCode).containsExactly(255, 255);
        assertThat(r.get(0).stderr()).contains("connect to host h");
        assertThat(r.get(1).stderr()).startsWith("not run: `sh -c a` (no exit status)");
        List<CommandResult> cut = SequenceScript.decode(commands, TAG, "h", "\n" + TAG + " 0\npartial\n");
        assertThat(cut.get(0).stderr()).isEqualTo("partial\nno exit status from h: the connection was lost\n");
    }

    @Test
    void anEmptySequenceIsABug() {
        assertThatThrownBy(() -> SequenceScript.render(List.of(), TAG)).isInstanceOf(IllegalArgumentException.class);
    }
}
