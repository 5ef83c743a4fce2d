package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Local pipelines run stage by stage as processes joined by OS pipes, each with its own status. */
class LocalPipelineTest {
    private final LocalHost host = new LocalHost((h, d, s) -> { });

    @Test
    void everyStageReportsItsOwnExitStatusAndStderr() throws Exception {
        RunningPipeline running = host.start(Pipeline.of(Command.reading("printf", "abc"),
                Command.reading("sh", "-c", "cat; echo 'helper broke' >&2; exit 4"), Command.reading("tr", "a-z", "A-Z")));
        running.stdin().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        running.stdout().transferTo(out);
        List<CommandResult> results = running.await();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("ABC");
        assertThat(results).extracting(CommandResult::exitCode).containsExactly(0, 4, 0);
        assertThat(results.get(1).stderr()).isEqualTo("helper broke\n");
        assertThat(RunningPipeline.allOk(results)).isFalse();
    }
}
