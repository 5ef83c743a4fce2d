package org.zfssync.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HooksTest {
    @TempDir
    Path dir;

    @Test
    void theCommandsOfAHookRunInTurnAndStopAtTheFirstFailure() throws Exception {
        Path log = dir.resolve("log");
        Hooks hooks = new Hooks(new HooksSpec(List.of("echo one >> " + log, "exit 2", "echo three >> " + log), null,
                null, null, null));
        assertThat(hooks.run(Hooks.Point.PRE_SNAPSHOT, Hooks.Context.before("j", "tank/a", null)))
                .contains("pre-snapshot hook 'exit 2' failed: exit 2");
        assertThat(Files.readAllLines(log)).containsExactly("one");
        assertThat(hooks.run(Hooks.Point.POST_SNAPSHOT, Hooks.Context.before("j", "tank/a", null))).as("none set")
                .isEmpty();
        assertThat(Hooks.NONE.has(Hooks.Point.PRE_REPLICATE)).isFalse();
    }

    @Test
    void aHookPastItsTimeoutIsKilledWithEveryProcessItStarted() throws Exception {
        Path pid = dir.resolve("pid");
        // The shell starts a background sleeper and waits: both must go at the deadline.
        Hooks hooks = new Hooks(new HooksSpec(null, null, List.of("sleep 300 & echo $! > " + pid + "; wait"), null,
                "1s"));
        assertThat(hooks.run(Hooks.Point.PRE_REPLICATE, Hooks.Context.before("j", "tank/a", "nas:pool/a")))
                .hasValueSatisfying(e -> assertThat(e).contains("timed out", "after 1s (hooks: timeout:)"));
        long sleeper = Long.parseLong(Files.readString(pid).strip());
        ProcessHandle.of(sleeper).ifPresent(p -> assertThat(p.onExit()).succeedsWithin(java.time.Duration.ofSeconds(5)));
    }
}
