package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every remote command line zfs-sync sends, run exactly as sshd runs it: {@code $SHELL -c LINE},
 * with each login shell zfs-sync may meet. csh and tcsh (FreeBSD root before 14.0) read quotes,
 * {@code !} and newlines differently from Bourne shells; the lines must mean the same to all.
 * Under CI a missing shell fails the test: .ci/run installs them.
 */
class SshHostLoginShellTest {
    private static final List<String> SHELLS = List.of("sh", "dash", "bash", "tcsh", "csh");
    /** Arguments every shell would misread unless quoted right. */
    private static final List<String> AWKWARD = List.of("a b", "it's", "\"dq\"", "bang!", "!!", "!$", "a\\!b",
            "$HOME", "${x}", "`id`", "$(id)", "new\nline", "\n", "tab\tx", "semi;colon", "a|b", "a&b", "<>", "*", "?",
            "[a]", "{a,b}", "~", "~root", "#hash", "=1", "%1", "-n", "", "back\\", "\\", "'", "''", "é ü", "a\\'b");

    private static Path shell(String name) {
        Optional<Path> found = java.util.Arrays.stream(System.getenv("PATH").split(File.pathSeparator))
                .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
        if (found.isEmpty()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("login shell " + name + " is not installed; CI must test every shell (.ci/run installs it)");
            }
            Assumptions.abort(name + " is not installed");
        }
        return found.get();
    }

    private record Ran(int exit, String stdout, String stderr) {
    }

    /** What sshd does with the remote command line: the login shell's -c, stdin fed. */
    private static Ran asSshdWould(Path shell, String line, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(shell.toString(), "-c", line).start();
        OutputCollector err = OutputCollector.start(p.getErrorStream(), 1 << 20, "stderr");
        Thread writer = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The shell exited without reading: its exit status shows it.
            }
        });
        writer.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        int exit = p.waitFor();
        writer.join();
        return new Ran(exit, out.toString(StandardCharsets.UTF_8), err.await());
    }

    private static List<String> printed(String nulSeparated) {
        List<String> args = new ArrayList<>(List.of(nulSeparated.split("\0", -1)));
        args.remove(args.size() - 1);
        return args;
    }

    private static Command printf(List<String> args) {
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(args);
        return Command.reading(argv);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sh", "dash", "bash", "tcsh", "csh"})
    void aControlCommandReachesItsProgramWithEveryArgumentIntact(String name) throws Exception {
        Ran r = asSshdWould(shell(name), SshHost.remoteLine(printf(AWKWARD)), "");
        assertThat(r.stderr()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(printed(r.stdout())).containsExactlyElementsOf(AWKWARD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sh", "dash", "bash", "tcsh", "csh"})
    void aControlCommandsExitStatusComesBack(String name) throws Exception {
        Ran r = asSshdWould(shell(name), SshHost.remoteLine(Command.reading("sh", "-c", "echo 'it''s!' >&2; exit 7")), "");
        assertThat(r.exit()).isEqualTo(7);
        assertThat(r.stderr()).isEqualTo("its!\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sh", "dash", "bash", "tcsh", "csh"})
    void aBatchReportsEachCommandsOutputAndStatus(String name) throws Exception {
        List<Command> commands = List.of(printf(AWKWARD), Command.changing("sh", "-c", "echo \"oops $1\" >&2; exit 3", "sh", "a!b"),
                Command.reading("cat"), Command.reading("zfs-sync-no-such-program", "x"), Command.reading("printf", "no newline"),
                Command.reading("true"));
        String nonce = "zfs-sync-status-0123456789abcdef";
        SshHost.Batch batch = SshHost.Batch.of(commands, nonce);
        Ran r = asSshdWould(shell(name), batch.line(), batch.script());
        CommandResult whole = new CommandResult(Command.changing("sh", "-s"), "h", r.exit(), r.stdout(), r.stderr());
        List<CommandResult> results = SshHost.splitBatch(commands, whole, nonce);

        assertThat(results).extracting(CommandResult::exitCode).containsExactly(0, 3, 0, 127, 0, 0);
        // A batched command's stdout and stderr arrive merged, as its stderr (see Host#runAll).
        assertThat(printed(results.get(0).stderr())).containsExactlyElementsOf(AWKWARD);
        assertThat(results.get(1).stderr()).isEqualTo("oops a!b\n");
        assertThat(results.get(2).stderr()).as("a batched command must not read the script").isEmpty();
        assertThat(results.get(3).stderr()).contains("zfs-sync-no-such-program");
        assertThat(results.get(4).stderr()).isEqualTo("no newline");
        assertThat(results).extracting(CommandResult::command).containsExactlyElementsOf(commands);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sh", "dash", "bash", "tcsh", "csh"})
    void aPipelineScriptPassesDataAndReportsEveryStagesStatus(String name) throws Exception {
        Pipeline pipeline = Pipeline.of(printf(AWKWARD), Command.reading("sh", "-c", "cat; echo \"warn: $1\" >&2; exit 4",
                "sh", "it's a\nnew!line"), Command.reading("tr", "a", "A"));
        String tag = "zs0123456789abcdef";
        Ran r = asSshdWould(shell(name), SshHost.remoteCommand(pipeline, tag), "");
        List<CommandResult> stages = StageScript.decode(pipeline, tag, "h", r.stderr());

        assertThat(stages).extracting(CommandResult::exitCode).containsExactly(0, 4, 0);
        assertThat(stages.get(1).stderr()).isEqualTo("warn: it's a\nnew!line\n");
        List<String> expected = AWKWARD.stream().map(a -> a.replace('a', 'A')).toList();
        assertThat(printed(r.stdout())).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sh", "dash", "bash", "tcsh", "csh"})
    void aSingleStagePipelineReadsItsDataFromStdin(String name) throws Exception {
        Pipeline pipeline = Pipeline.of(Command.reading("sh", "-c", "tr a-z A-Z; exit 5", "it's\n!"));
        Ran r = asSshdWould(shell(name), SshHost.remoteCommand(pipeline, null), "stream data");
        assertThat(r.stdout()).isEqualTo("STREAM DATA");
        assertThat(r.exit()).isEqualTo(5);
    }

    /** Whatever the arguments, every shell hands the program exactly that argv. */
    @Property(tries = 25)
    void anyArgvSurvivesEveryLoginShell(@ForAll("arguments") List<String> args) throws Exception {
        String line = SshHost.remoteLine(printf(args));
        for (String name : SHELLS) {
            Path shell = installedOrFail(name);
            if (shell == null) {
                continue;
            }
            Ran r = asSshdWould(shell, line, "");
            assertThat(printed(r.stdout())).as("%s -c %s", name, line).containsExactlyElementsOf(args);
        }
    }

    /** Like {@link #shell} for a property (where an abort would end every try): null when absent outside CI. */
    private static Path installedOrFail(String name) {
        try {
            return shell(name);
        } catch (org.opentest4j.TestAbortedException e) {
            return null;
        }
    }

    @Provide
    Arbitrary<List<String>> arguments() {
        Arbitrary<String> nasty = Arbitraries.strings()
                .withChars("'\"\\$`!*?[]{}();&|<> \t\n\r~#%=:,.-_/@^")
                .alpha().numeric()
                .withCharRange('\u00e0', '\u00ff')
                .ofMinLength(0).ofMaxLength(16);
        return nasty.list().ofMinSize(1).ofMaxSize(5);
    }
}
