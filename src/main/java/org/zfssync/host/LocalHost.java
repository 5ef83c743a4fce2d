package org.zfssync.host;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** This machine: commands run through ProcessBuilder with argv, never a shell. */
public final class LocalHost implements Host {
    public static final String NAME = "local";
    private final CommandListener listener;

    public LocalHost(CommandListener listener) {
        this.listener = listener;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isLocal() {
        return true;
    }

    @Override
    public CommandResult run(Command command) {
        listener.beforeRun(NAME, display(command), true);
        return Processes.run(command, NAME, command.argv());
    }

    @Override
    public <T> Parsed<T> read(Command command, OutputParser<T> parser) {
        listener.beforeRun(NAME, display(command), true);
        return Processes.read(command, NAME, command.argv(), parser);
    }

    @Override
    public List<CommandResult> runAll(List<Command> commands) {
        List<CommandResult> results = new ArrayList<>(commands.size());
        for (Command command : commands) {
            results.add(run(command));
        }
        return results;
    }

    @Override
    public RunningPipeline start(Pipeline pipeline) {
        listener.beforeRun(NAME, display(pipeline), true);
        List<ProcessBuilder> builders = new ArrayList<>();
        for (Command c : pipeline.stages()) {
            builders.add(new ProcessBuilder(c.argv()));
        }
        try {
            // The JDK joins the stages with OS pipes: no shell, and each stage keeps its own status.
            return RunningPipeline.local(pipeline, ProcessBuilder.startPipeline(builders));
        } catch (IOException e) {
            throw new HostUnreachableException("on local: cannot run `" + pipeline + "`: " + e.getMessage(), e);
        }
    }

    @Override
    public String display(Pipeline pipeline) {
        return pipeline.toString();
    }

    @Override
    public String display(Command command) {
        return ShellQuote.join(command.argv());
    }

    @Override
    public void close() {
        // Nothing held.
    }
}
