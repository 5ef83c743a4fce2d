package org.zfssync.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A remote host reached with the system OpenSSH client. Control commands share one
 * multiplexed connection (ControlMaster, socket in the run's private directory); each data
 * stream opens its own connection so a bulk transfer never starves the control channel or
 * saturates a single sshd process. Small streams ({@link #startReusing}) run on kept data
 * connections instead, one stream at a time on each, so a tree of many small datasets does not
 * pay a connection's setup for every stream.
 *
 * <p>sshd runs every remote command line with the user's login shell, which may be csh or tcsh
 * (FreeBSD's root before 14.0), so each line is built by {@link ShellQuote} to mean the same to
 * all of them, and anything needing sh syntax runs under an explicit {@code sh}.
 */
public final class SshHost implements Host {
    static final int SSH_FAILURE = 255;
    /** The rules a destination follows, for error messages. */
    public static final String DESTINATION_RULES = "where user and host use only letters, digits, '.', '_' and '-' "
            + "and do not start with '-' (nor the host with '.'), or the host is an IPv4 address or an IPv6 address "
            + "in brackets such as [fe80::1%eth0]";
    /** {@code ssh -O exit} only talks to the local master; it should never take long. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]");
    private final String destination;
    /** The destination as ssh takes it: an IPv6 address without brackets. */
    private final String target;
    private final SshOptions options;
    private final ControlDirectory controlDirectory;
    private final CommandListener listener;
    private boolean masterStarted;
    /** Sessions of direct streams (their halves) now open on the control master (see {@link #startOnControl}). */
    private final java.util.concurrent.atomic.AtomicInteger controlStreams = new java.util.concurrent.atomic.AtomicInteger();
    /** Such sessions at once, below sshd's MaxSessions (10) with room for the run's control commands. */
    static final int MAX_CONTROL_STREAMS = 4;
    /** Kept data connections, by number, each with its own master socket (its own lock: not {@code this}). */
    private final DataSlots data = new DataSlots();

    /**
     * @param destination {@code [user@]host} as ssh takes it (an alias from ~/.ssh/config works;
     *                    an IPv6 address with or without brackets)
     */
    public SshHost(String destination, SshOptions options, ControlDirectory controlDirectory, CommandListener listener) {
        Optional<String> problem = destinationProblem(destination);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("invalid ssh destination '" + printable(destination) + "': "
                    + problem.get() + "; expected [user@]host " + DESTINATION_RULES);
        }
        this.destination = destination;
        this.target = destination.replace("[", "").replace("]", "");
        this.options = options;
        this.controlDirectory = controlDirectory;
        this.listener = listener;
    }

    /**
     * Why {@code destination} is not a {@code [user@]host} zfs-sync accepts, or empty when it is.
     * The rules leave no room for anything a shell or ssh would read as syntax or as an option,
     * whatever later quoting does.
     */
    public static Optional<String> destinationProblem(String destination) {
        if (destination.isEmpty()) {
            return Optional.of("it is empty");
        }
        int at = destination.indexOf('@');
        String host = destination.substring(at + 1);
        if (at >= 0) {
            String user = destination.substring(0, at);
            Optional<String> bad = badCharacter(user, 0, NAME, "the user name");
            if (bad.isPresent()) {
                return bad;
            }
            if (user.isEmpty()) {
                return Optional.of("the user name before '@' is empty");
            }
            if (user.startsWith("-")) {
                return Optional.of("the user name starts with '-'");
            }
        }
        int offset = at + 1;
        if (host.isEmpty()) {
            return Optional.of("the host name is empty");
        }
        if (host.startsWith("[")) {
            if (!host.endsWith("]") || host.length() < 3) {
                return Optional.of("'[' opens an IPv6 address that no ']' closes");
            }
            return ipv6Problem(host.substring(1, host.length() - 1), offset + 1);
        }
        if (host.contains(":")) {
            return ipv6Problem(host, offset);
        }
        Optional<String> bad = badCharacter(host, offset, NAME, "the host name");
        if (bad.isPresent()) {
            return bad;
        }
        if (host.startsWith("-") || host.startsWith(".")) {
            return Optional.of("the host name starts with '" + host.charAt(0) + "'");
        }
        return Optional.empty();
    }

    /** An IPv6 address (hex digits, ':', '.' for a mapped IPv4 tail), optionally with a %zone. */
    private static Optional<String> ipv6Problem(String address, int offset) {
        int percent = address.indexOf('%');
        String bare = percent < 0 ? address : address.substring(0, percent);
        Optional<String> bad = badCharacter(bare, offset, IPV6, "an IPv6 address");
        if (bad.isPresent()) {
            return bad;
        }
        if (!bare.contains(":")) {
            return Optional.of("'" + printable(bare) + "' is not an IPv6 address");
        }
        if (percent >= 0) {
            String zone = address.substring(percent + 1);
            Optional<String> badZone = badCharacter(zone, offset + percent + 1, Pattern.compile("[A-Za-z0-9]"),
                    "an IPv6 zone");
            if (badZone.isPresent()) {
                return badZone;
            }
            if (zone.isEmpty()) {
                return Optional.of("the IPv6 zone after '%' is empty");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> badCharacter(String part, int offset, Pattern allowed, String where) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (!allowed.matcher(String.valueOf(c)).matches()) {
                return Optional.of("character " + describe(c) + " (position " + (offset + i + 1) + ") is not allowed in "
                        + where);
            }
        }
        return Optional.empty();
    }

    private static String describe(char c) {
        if (c == ' ') {
            return "' ' (space)";
        }
        if (c < 0x20 || c == 0x7f || Character.isWhitespace(c) || Character.isISOControl(c)) {
            return String.format("U+%04X", (int) c);
        }
        return "'" + c + "'";
    }

    /** Text fit for a one-line message: control characters shown as \n, \t or \\uXXXX. */
    public static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    @Override
    public String name() {
        return destination;
    }

    @Override
    public boolean isLocal() {
        return false;
    }

    /** ssh's argv for a control command: user options, zfs-sync's defaults, the shared master. */
    List<String> controlArgv(String remoteCommand) {
        List<String> argv = new ArrayList<>();
        argv.add("ssh");
        argv.addAll(options.argv());
        argv.addAll(List.of("-o", "ControlMaster=auto", "-o", "ControlPath=" + controlDirectory.path() + "/%C",
                "-o", "ControlPersist=300"));
        argv.add(target);
        argv.add(remoteCommand);
        return argv;
    }

    private List<String> streamArgv(String remoteCommand) {
        List<String> argv = new ArrayList<>();
        argv.add("ssh");
        argv.addAll(options.argv());
        argv.addAll(List.of("-o", "ControlMaster=no", "-o", "ControlPath=none"));
        argv.add(target);
        argv.add(remoteCommand);
        return argv;
    }

    /**
     * ssh's argv for a small stream on kept data connection {@code slot}: its own master (made by
     * the first stream that uses it, kept between streams), apart from the control connection, so
     * a stream never waits behind a listing nor the other way round.
     */
    List<String> dataArgv(String remoteCommand, int slot) {
        List<String> argv = new ArrayList<>();
        argv.add("ssh");
        argv.addAll(options.argv());
        argv.addAll(List.of("-o", "ControlMaster=auto", "-o", "ControlPath=" + dataPath(slot), "-o",
                "ControlPersist=300"));
        argv.add(target);
        argv.add(remoteCommand);
        return argv;
    }

    private String dataPath(int slot) {
        return controlDirectory.path() + "/d" + slot + "-%C";
    }

    /** The line the remote login shell runs for a control command. */
    static String remoteLine(Command command) {
        return ShellQuote.loginLine(command.argv());
    }

    @Override
    public synchronized CommandResult run(Command command) {
        listener.beforeRun(destination, display(command), true);
        masterStarted = true;
        return Processes.run(command, destination, controlArgv(remoteLine(command)), options.commandTimeout());
    }

    @Override
    public synchronized <T> Parsed<T> read(Command command, OutputParser<T> parser) {
        listener.beforeRun(destination, display(command), true);
        masterStarted = true;
        return Processes.read(command, destination, controlArgv(remoteLine(command)), parser, options.commandTimeout());
    }

    /**
     * A batch as sent: the remote line (only {@code sh -s}: no login shell can misread it) and the
     * script sh reads from stdin, where Bourne syntax and any argument are safe and no
     * command-line length limit applies. Each command's stdin is /dev/null so none can eat the
     * rest of the script.
     */
    record Batch(String line, String script) {
        static Batch of(List<Command> commands, String nonce) {
            StringBuilder script = new StringBuilder();
            for (int i = 0; i < commands.size(); i++) {
                script.append(ShellQuote.join(commands.get(i).argv())).append(" </dev/null 2>&1; printf '\\n%s %d %d\\n' ")
                        .append(nonce).append(' ').append(i).append(" \"$?\"\n");
            }
            return new Batch("sh -s", script.toString());
        }
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
        String nonce = "zfs-sync-status-" + UUID.randomUUID().toString().replace("-", "");
        Batch batch = Batch.of(commands, nonce);
        for (Command command : commands) {
            listener.beforeRun(destination, display(command) + "   # batched", false);
        }
        listener.beforeRun(destination, "(" + commands.size() + " commands in one session)", true);
        masterStarted = true;
        CommandResult whole = Processes.run(Command.changing("sh", "-s"), destination, controlArgv(batch.line()),
                batch.script().getBytes(StandardCharsets.UTF_8), options.commandTimeout());
        return splitBatch(commands, whole, nonce);
    }

    /**
     * One result per command from a batch's output. Status lines must come in order, 0 to n-1,
     * each alone on its line with this call's nonce: the first one missing, out of order or
     * malformed ends what can be trusted, and that command and every later one fail with a
     * message saying what was seen instead (a shell error, a cut connection, garbage).
     */
    static List<CommandResult> splitBatch(List<Command> commands, CommandResult whole, String nonce) {
        String out = whole.stdout();
        Pattern statusLine = Pattern.compile(Pattern.quote(nonce) + " (\\d{1,9}) (\\d{1,3})\n");
        List<CommandResult> results = new ArrayList<>();
        int pos = 0;
        String broken = null;
        for (int i = 0; i < commands.size(); i++) {
            int at = out.indexOf(nonce, pos);
            if (at < 0) {
                String rest = out.substring(pos);
                broken = rest.isBlank() ? "the output ended before it" : "the output showed instead: " + excerpt(rest);
                break;
            }
            Matcher m = statusLine.matcher(out).region(at, out.length());
            if (at == pos || out.charAt(at - 1) != '\n' || !m.lookingAt() || Integer.parseInt(m.group(1)) != i) {
                int lineEnd = out.indexOf('\n', at);
                broken = "the output showed instead: " + excerpt(out.substring(pos, lineEnd < 0 ? out.length() : lineEnd + 1));
                break;
            }
            results.add(new CommandResult(commands.get(i), whole.host(), Integer.parseInt(m.group(2)), "",
                    out.substring(pos, at - 1)));
            pos = m.end();
        }
        if (broken == null) {
            return results;
        }
        int first = results.size();
        // No trustworthy status: ssh's own failure when it had one, else ssh's failure code.
        int exit = whole.exitCode() == 0 ? SSH_FAILURE : whole.exitCode();
        // ssh's own first words (could not resolve, connection closed) go on the first line too:
        // that line is often the only one a user sees.
        String sshSaid = whole.exitCode() == 0 && whole.stderr().isBlank() ? ""
                : "; ssh exit " + whole.exitCode() + (whole.stderr().isBlank() ? "" : ": " + whole.errorLine());
        String why = "no exit status from " + whole.host() + " for batched command " + (first + 1) + " of "
                + commands.size() + " (`" + commands.get(first) + "`): " + broken + sshSaid + "\n" + whole.stderr();
        for (int i = first; i < commands.size(); i++) {
            String prefix = i == first ? "" : "not run or not confirmed: ";
            results.add(new CommandResult(commands.get(i), whole.host(), exit, "", prefix + why));
        }
        return results;
    }

    /** At most 200 characters of output on one line. */
    private static String excerpt(String text) {
        String s = text.strip();
        return "'" + printable(s.length() > 200 ? s.substring(0, 200) + "…" : s) + "'";
    }

    /**
     * One ssh session per pipeline. A single stage runs as it is (ssh's status is its status); a
     * longer pipeline runs under {@link StageScript} so each stage's status comes back.
     */
    @Override
    public RunningPipeline start(Pipeline pipeline) {
        String tag = pipeline.size() > 1 ? newTag() : null;
        return start(pipeline, tag, remoteCommand(pipeline, tag), display(pipeline));
    }

    /**
     * Starts a pipeline whose stage {@code meter} writes its stderr, live, to the session's
     * stdout (see {@link StageScript#render(Pipeline, String, int)}); every stage's status and
     * other stderr come back as from {@link #start(Pipeline)}.
     *
     * @param shown the pipeline as the log shows it
     */
    public RunningPipeline startMetered(Pipeline pipeline, int meter, String shown, boolean forwardAgent) {
        String tag = newTag();
        return start(pipeline, tag, ShellQuote.loginScript(StageScript.render(pipeline, tag, meter)), shown,
                forwardAgent);
    }

    /**
     * A small stream on a kept data connection: the first stream on each makes its master, later
     * ones open a session on it (no key exchange, no authentication, no new sshd). Each carries
     * one stream at a time, so parallel streams still never share a connection; a stream that
     * did not end with status 0 retires its connection (a cut or hung one is never reused: the
     * retry gets a new one).
     */
    @Override
    public RunningPipeline startReusing(Pipeline pipeline) {
        String tag = pipeline.size() > 1 ? newTag() : null;
        int slot = data.take();
        listener.beforeRun(destination, display(pipeline) + "   # kept data connection " + slot, true);
        Process process;
        try {
            process = Processes.start(dataArgv(remoteCommand(pipeline, tag), slot));
        } catch (IOException e) {
            data.giveBack(slot, false);
            throw new HostUnreachableException("cannot run ssh to reach " + destination + ": " + e.getMessage(), e);
        }
        process.onExit().thenAccept(p -> data.giveBack(slot, p.exitValue() == 0));
        return running(pipeline, tag, process);
    }

    @Override
    public boolean startsSequences() {
        return true;
    }

    /**
     * One new ssh session runs every command in turn under {@link SequenceScript}. Each command
     * is logged as it would run on its own, marked {@code # in sequence}, then the session once;
     * the result's stages are the commands, in order.
     */
    @Override
    public RunningPipeline startSequence(List<Command> commands) {
        String tag = newTag();
        for (Command command : commands) {
            listener.beforeRun(destination, display(Pipeline.of(command)) + "   # in sequence", false);
        }
        listener.beforeRun(destination, "(" + commands.size() + " streams in one session)", true);
        Process process;
        try {
            process = Processes.start(streamArgv(ShellQuote.loginScript(SequenceScript.render(commands, tag))));
        } catch (IOException e) {
            throw new HostUnreachableException("cannot run ssh to reach " + destination + ": " + e.getMessage(), e);
        }
        Pipeline all = new Pipeline(commands);
        return new RunningPipeline(all, destination, List.of(process),
                (exits, errs) -> SequenceScript.decode(commands, tag, destination, errs.get(0)));
    }

    private RunningPipeline start(Pipeline pipeline, String tag, String remoteCommand, String shown) {
        return start(pipeline, tag, remoteCommand, shown, false);
    }

    /**
     * Starts a pipeline that sends no bulk data through this machine (a half of a direct tls
     * stream, or the source's session of an ssh-direct one: its statuses, stderr and, with
     * {@code meter} of 0 or more, that stage's progress)
     * as a session on the shared control master: no connection, key exchange and login of its
     * own, which two fresh connections per stream paid in turn before the data could move.
     */
    public RunningPipeline startOnControl(Pipeline pipeline, int meter, String shown) {
        String tag = newTag();
        String script = meter >= 0 ? StageScript.render(pipeline, tag, meter) : StageScript.render(pipeline, tag);
        if (controlStreams.incrementAndGet() > MAX_CONTROL_STREAMS) {
            // sshd allows 10 sessions per connection (MaxSessions): parallel streams beyond a few get their own.
            controlStreams.decrementAndGet();
            return start(pipeline, tag, ShellQuote.loginScript(script), shown);
        }
        listener.beforeRun(destination, shown, true);
        synchronized (this) {
            masterStarted = true;
        }
        Process process;
        try {
            process = spawn(controlArgv(ShellQuote.loginScript(script)));
        } catch (HostUnreachableException e) {
            controlStreams.decrementAndGet();
            throw e;
        }
        process.onExit().thenRun(controlStreams::decrementAndGet);
        return running(pipeline, tag, process);
    }

    private RunningPipeline start(Pipeline pipeline, String tag, String remoteCommand, String shown,
                                  boolean forwardAgent) {
        listener.beforeRun(destination, shown, true);
        List<String> argv = streamArgv(remoteCommand);
        if (forwardAgent) {
            // The user opted in (--ssh-forward-agent): the source's own ssh to the target may use this agent.
            argv.add(1, "-A");
        }
        return running(pipeline, tag, spawn(argv));
    }

    /** Starts this machine's ssh; one that cannot start at all is the host being unreachable. */
    private Process spawn(List<String> argv) {
        try {
            return Processes.start(argv);
        } catch (IOException e) {
            throw new HostUnreachableException("cannot run ssh to reach " + destination + ": " + e.getMessage(), e);
        }
    }

    private RunningPipeline running(Pipeline pipeline, String tag, Process process) {
        return new RunningPipeline(pipeline, destination, List.of(process), (exits, errs) -> tag == null
                ? List.of(new CommandResult(pipeline.stages().get(0), destination, exits.get(0), "", errs.get(0)))
                : StageScript.decode(pipeline, tag, destination, errs.get(0)));
    }

    /** A per-run nonce that tags a pipeline's stderr lines. */
    static String newTag() {
        return "zs" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** The line the remote login shell runs for a pipeline: the stage itself, or the {@link StageScript} under sh. */
    public static String remoteCommand(Pipeline pipeline, String tag) {
        if (tag == null) {
            return ShellQuote.loginLine(pipeline.stages().get(0).argv());
        }
        return ShellQuote.loginScript(StageScript.render(pipeline, tag));
    }

    /** The pipeline as a remote login shell would run it, plainly joined (for display: no per-stage status). */
    static String plainRemoteCommand(Pipeline pipeline) {
        if (pipeline.size() == 1) {
            return remoteCommand(pipeline, null);
        }
        List<String> stages = pipeline.stages().stream().map(c -> ShellQuote.scriptJoin(c.argv())).toList();
        return ShellQuote.loginScript(String.join(" | ", stages));
    }

    @Override
    public String display(Command command) {
        return ShellQuote.join(streamArgv(remoteLine(command)));
    }

    /**
     * The pipeline as it runs, shown as the plain {@code a | b | c} that {@link StageScript} wraps
     * (the wrapping only reports each stage's status): readable, and it works when pasted.
     */
    @Override
    public String display(Pipeline pipeline) {
        return ShellQuote.join(streamArgv(plainRemoteCommand(pipeline)));
    }

    /**
     * Stops the multiplexed master connection and every kept data connection (retired ones too);
     * their socket directory is removed by its owner.
     */
    @Override
    public synchronized void close() {
        int kept = data.drain();
        for (int slot = 0; slot < kept; slot++) {
            exitMaster(dataPath(slot));
        }
        if (!masterStarted) {
            return;
        }
        exitMaster(controlDirectory.path() + "/%C");
        masterStarted = false;
    }

    /** Asks the master at {@code controlPath} to exit; one never made or already gone is no error. */
    private void exitMaster(String controlPath) {
        List<String> argv = new ArrayList<>();
        argv.add("ssh");
        argv.addAll(options.argv());
        argv.addAll(List.of("-o", "ControlPath=" + controlPath, "-O", "exit", target));
        try {
            Processes.run(Command.reading(argv), destination, argv, CLOSE_TIMEOUT);
        } catch (HostUnreachableException e) {
            // ssh is gone; so is the master.
        }
    }
}
