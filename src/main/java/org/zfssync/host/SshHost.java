package org.zfssync.host;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A remote host reached with the system OpenSSH client. Control commands share one
 * multiplexed connection (ControlMaster, socket in the run's private directory); each data
 * stream opens its own connection so a bulk transfer never starves the control channel or
 * saturates a single sshd process.
 */
public final class SshHost implements Host {
    static final int SSH_FAILURE = 255;
    private final String destination;
    private final SshOptions options;
    private final ControlDirectory controlDirectory;
    private final CommandListener listener;
    private boolean masterStarted;

    /**
     * @param destination {@code [user@]host} as ssh takes it (an alias from ~/.ssh/config works)
     */
    public SshHost(String destination, SshOptions options, ControlDirectory controlDirectory, CommandListener listener) {
        if (destination.isEmpty() || destination.startsWith("-") || destination.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("invalid ssh destination '" + destination + "'");
        }
        this.destination = destination;
        this.options = options;
        this.controlDirectory = controlDirectory;
        this.listener = listener;
    }

    @Override
    public String name() {
        return destination;
    }

    @Override
    public boolean isLocal() {
        return false;
    }

    private List<String> controlArgv(String remoteCommand) {
        List<String> argv = new ArrayList<>();
        argv.add("ssh");
        argv.addAll(options.argv());
        argv.addAll(List.of("-o", "ControlMaster=auto", "-o", "ControlPath=" + controlDirectory.path() + "/%C",
                "-o", "ControlPersist=300"));
        argv.add(destination);
        argv.add(remoteCommand);
        return argv;
    }

    private List<String> streamArgv(String remoteCommand) {
        List<String> argv = new ArrayList<>();
        argv.add("ssh");
        argv.addAll(options.argv());
        argv.addAll(List.of("-o", "ControlMaster=no", "-o", "ControlPath=none"));
        argv.add(destination);
        argv.add(remoteCommand);
        return argv;
    }

    @Override
    public synchronized CommandResult run(Command command) {
        String remote = ShellQuote.join(command.argv());
        listener.beforeRun(destination, display(command), true);
        masterStarted = true;
        return Processes.run(command, destination, controlArgv(remote));
    }

    @Override
    public synchronized <T> Parsed<T> read(Command command, OutputParser<T> parser) {
        listener.beforeRun(destination, display(command), true);
        masterStarted = true;
        return Processes.read(command, destination, controlArgv(ShellQuote.join(command.argv())), parser);
    }

    /**
     * One ssh session runs every command in turn; after each, a line with a per-call nonce
     * carries its exit status, so each result is known even though one shell ran them all. A
     * command's stderr is merged into its own section of the output, never discarded.
     */
    @Override
    public synchronized List<CommandResult> runAll(List<Command> commands) {
        if (commands.isEmpty()) {
            return List.of();
        }
        if (commands.size() == 1) {
            return List.of(run(commands.get(0)));
        }
        String marker = "zfs-sync-status-" + UUID.randomUUID().toString().replace("-", "");
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < commands.size(); i++) {
            listener.beforeRun(destination, display(commands.get(i)) + "   # batched", false);
            script.append(ShellQuote.join(commands.get(i).argv())).append(" 2>&1; printf '\\n")
                    .append(marker).append(' ').append(i).append(" %d\\n' \"$?\"\n");
        }
        Command batch = Command.changing("sh", "-c", script.toString());
        listener.beforeRun(destination, "(" + commands.size() + " commands in one session)", true);
        masterStarted = true;
        CommandResult whole = Processes.run(batch, destination, controlArgv(ShellQuote.join(batch.argv())));
        return splitBatch(commands, whole, marker);
    }

    private List<CommandResult> splitBatch(List<Command> commands, CommandResult whole, String marker) {
        List<CommandResult> results = new ArrayList<>();
        Matcher m = Pattern.compile("\\n?" + marker + " (\\d+) (\\d+)\\n").matcher(whole.stdout());
        int start = 0;
        while (m.find() && results.size() < commands.size()) {
            int index = Integer.parseInt(m.group(1));
            String output = whole.stdout().substring(start, m.start());
            results.add(new CommandResult(commands.get(index), destination, Integer.parseInt(m.group(2)), "", output));
            start = m.end();
        }
        // Commands after an ssh failure never ran: they fail with ssh's own error.
        for (int i = results.size(); i < commands.size(); i++) {
            int exit = whole.exitCode() == 0 ? SSH_FAILURE : whole.exitCode();
            results.add(new CommandResult(commands.get(i), destination, exit, "", whole.stderr()));
        }
        return results;
    }

    /**
     * One ssh session per pipeline. A single stage runs as it is (ssh's status is its status); a
     * longer pipeline runs under {@link StageScript} so each stage's status comes back.
     */
    @Override
    public RunningPipeline start(Pipeline pipeline) {
        listener.beforeRun(destination, display(pipeline), true);
        String tag = pipeline.size() > 1 ? "zs" + UUID.randomUUID().toString().replace("-", "").substring(0, 16) : null;
        Process process;
        try {
            process = Processes.start(streamArgv(remoteCommand(pipeline, tag)));
        } catch (IOException e) {
            throw new HostUnreachableException("cannot run ssh to reach " + destination + ": " + e.getMessage(), e);
        }
        return new RunningPipeline(pipeline, destination, List.of(process), (exits, errs) -> tag == null
                ? List.of(new CommandResult(pipeline.stages().get(0), destination, exits.get(0), "", errs.get(0)))
                : StageScript.decode(pipeline, tag, destination, errs.get(0)));
    }

    private static String remoteCommand(Pipeline pipeline, String tag) {
        if (tag == null) {
            return ShellQuote.join(pipeline.stages().get(0).argv());
        }
        return ShellQuote.join(List.of("sh", "-c", StageScript.render(pipeline, tag)));
    }

    @Override
    public String display(Command command) {
        return ShellQuote.join(streamArgv(ShellQuote.join(command.argv())));
    }

    /**
     * The pipeline as it runs, shown as the plain {@code a | b | c} that {@link StageScript} wraps
     * (the wrapping only reports each stage's status): readable, and it works when pasted.
     */
    @Override
    public String display(Pipeline pipeline) {
        if (pipeline.size() == 1) {
            return ShellQuote.join(streamArgv(remoteCommand(pipeline, null)));
        }
        return ShellQuote.join(streamArgv(ShellQuote.join(List.of("sh", "-c", pipeline.toString()))));
    }

    /** Stops the multiplexed master connection; its socket directory is removed by its owner. */
    @Override
    public synchronized void close() {
        if (!masterStarted) {
            return;
        }
        List<String> argv = new ArrayList<>();
        argv.add("ssh");
        argv.addAll(options.argv());
        argv.addAll(List.of("-o", "ControlPath=" + controlDirectory.path() + "/%C", "-O", "exit", destination));
        try {
            Processes.run(Command.reading(argv), destination, argv);
        } catch (HostUnreachableException e) {
            // ssh is gone; so is the master.
        }
        masterStarted = false;
    }
}
