package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A control command that hangs is killed at its deadline and reported as timed out. */
class ProcessesDeadlineTest {
    private static final Duration TINY = Duration.ofMillis(300);

    @Test
    void aHangingCommandIsKilledAndReportedAsTimedOut() {
        Command sleep = Command.reading("sleep", "30");
        long start = System.nanoTime();
        CommandResult r = Processes.run(sleep, "local", sleep.argv(), TINY);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(r.ok()).isFalse();
        assertThat(r.exitCode()).isEqualTo(Processes.TIMED_OUT);
        assertThat(r.errorLine()).isEqualTo("timed out after 0.3 s: `sleep 30` on local was killed");
        assertThat(new CommandFailedException(r).getMessage()).contains("timed out after 0.3 s").contains("sleep 30")
                .contains("local");
    }

    @Test
    void theWholeProcessTreeIsKilledNotOnlyItsHead() {
        // sh waits for its child: unless the child dies too, its stdout stays open and the run hangs.
        Command tree = Command.reading("sh", "-c", "sleep 30; echo late");
        long start = System.nanoTime();
        CommandResult r = Processes.run(tree, "local", tree.argv(), TINY);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(r.exitCode()).isEqualTo(Processes.TIMED_OUT);
        assertThat(r.stdout()).doesNotContain("late");
    }

    @Test
    void aParsedListingAlsoHasADeadline() {
        Command listing = Command.reading("sh", "-c", "echo first; sleep 30; echo second");
        Parsed<List<String>> parsed = Processes.read(listing, "local", listing.argv(),
                in -> in.lines().toList(), TINY);
        assertThat(parsed.value()).isNull();
        assertThat(parsed.result().errorLine()).startsWith("timed out after 0.3 s: `sh -c");
    }

    @Test
    void aCommandWithinItsDeadlineIsUntouched() {
        Command quick = Command.reading("sh", "-c", "echo out; echo err >&2; exit 3");
        CommandResult r = Processes.run(quick, "local", quick.argv(), Duration.ofSeconds(30));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
    }

    @Test
    void stdinIsFedToTheCommand() {
        Command cat = Command.reading("cat");
        CommandResult r = Processes.run(cat, "local", cat.argv(), "script\n".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Duration.ofSeconds(30));
        assertThat(r.stdout()).isEqualTo("script\n");
    }

    @Test
    void localCommandsGetTheSameDefaultDeadlineAsRemoteOnes() {
        assertThat(Processes.DEFAULT_TIMEOUT).isEqualTo(SshOptions.DEFAULT_COMMAND_TIMEOUT).hasSeconds(600);
    }
}
