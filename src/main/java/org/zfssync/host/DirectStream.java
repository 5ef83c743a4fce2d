package org.zfssync.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A stream that never passes through this machine: one ssh session to the source host runs
 * {@code sender | ssh TARGET 'receiver'}, so the bytes go from the source straight to the target.
 * The sender's first stage ({@code zfs send -v -P}) writes its progress to the session's stdout
 * once a second, read here for progress and stall detection ({@link ProgressLines}); what else it
 * says is kept as its stderr. The session's stages report their
 * status and stderr by {@link StageScript}; the receiving half runs under its own
 * {@link StageScript} with its own tag, whose lines arrive inside the ssh stage's stderr, so every
 * stage on both hosts keeps its own exit status and stderr, named with its host.
 */
public final class DirectStream {
    private final RunningPipeline session;
    private final Pipeline receiver;
    private final String receiverHost;
    private final String receiverTag;
    private final Thread meterReader;
    private final StringBuilder meterSaid = new StringBuilder();

    /** Each stage's result, on the side where it ran. */
    public record Results(List<CommandResult> sent, List<CommandResult> received) {
    }

    private DirectStream(RunningPipeline session, Pipeline receiver, String receiverHost,
                         String receiverTag, ProgressLines progress) {
        this.session = session;
        this.receiver = receiver;
        this.receiverHost = receiverHost;
        this.receiverTag = receiverTag;
        this.meterReader = new Thread(() -> readProgress(session.stdout(), progress, meterSaid), "progress of "
                + session.host());
        meterReader.setDaemon(true);
        meterReader.start();
    }

    /**
     * How the source reaches the target.
     *
     * @param address      the target's ssh destination as seen from the source (an alias in the source's
     *                     ~/.ssh/config works: port, key and host key are the source's business)
     * @param forwardAgent the controller's agent is forwarded to the source for this connection
     */
    public record Link(String address, boolean forwardAgent) {
        public Link {
            Optional<String> problem = SshHost.destinationProblem(address);
            if (problem.isPresent()) {
                throw new IllegalArgumentException("invalid direct target address '" + SshHost.printable(address)
                        + "': " + problem.get() + "; expected [user@]host " + SshHost.DESTINATION_RULES);
            }
        }

        /** ssh from the source to the target, running {@code remoteLine}: never asking for a password. */
        Command ssh(String remoteLine) {
            List<String> argv = new ArrayList<>(List.of("ssh", "-o", "BatchMode=yes", "-o", "ForwardAgent=no"));
            argv.add(address.replace("[", "").replace("]", ""));
            argv.add(remoteLine);
            return Command.changing(argv);
        }

        /** The check that the source can open this link: {@code ssh -o BatchMode=yes TARGET true}. */
        public Command probe() {
            return Command.reading(ssh("true").argv());
        }
    }

    /** What runs on the source, for the plan and the log: the receiver shown as a plain pipe. */
    public static String display(SshHost source, Pipeline sender, Pipeline receiver, Link link, RateCap cap) {
        return source.display(cap.sending(sender).then(link.ssh(SshHost.plainRemoteCommand(
                cap.receiving(receiver)))));
    }

    /**
     * Starts the stream: one ssh session to {@code source} (on its control connection where it
     * can be); {@code progress} reads what the sender's first stage reports, as it reports it.
     */
    public static DirectStream start(SshHost source, Pipeline sender, Pipeline receiver, String receiverHost,
                                     Link link, RateCap cap, ProgressLines progress) {
        String tag = SshHost.newTag();
        Pipeline remote = cap.receiving(receiver);
        Pipeline whole = session(cap.sending(sender), link::ssh, remote, tag);
        String shown = display(source, sender, receiver, link, cap);
        // The session carries no data, only statuses, stderr and progress: it runs on the control
        // connection, with no login of its own, unless the agent is forwarded for this stream alone.
        RunningPipeline session = link.forwardAgent() ? source.startMetered(whole, 0, shown, true)
                : source.startOnControl(whole, 0, shown);
        try {
            session.stdin().close();
        } catch (IOException e) {
            // Nothing reads the session's stdin; a close that fails changes nothing.
        }
        return new DirectStream(session, remote, receiverHost, tag, progress);
    }

    /**
     * What the source's session runs: {@code sender | hop}, where the hop (ssh to the target)
     * runs the receiver under a {@link StageScript} of its own, tagged {@code tag}; run it with
     * stage 0 (zfs send, reporting its progress) as the meter.
     */
    static Pipeline session(Pipeline sender, Function<String, Command> hop, Pipeline receiver, String tag) {
        return sender.then(hop.apply(ShellQuote.loginScript(StageScript.render(receiver, tag))));
    }

    /**
     * Reads the metered stage's lines until the stream ends: {@code progress} takes each, and
     * those it does not know (the stage's own messages) go to {@code said}.
     */
    static void readProgress(java.io.InputStream lines, ProgressLines progress, StringBuilder said) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(lines, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!progress.read(line)) {
                    synchronized (said) {
                        said.append(line).append('\n');
                    }
                }
            }
        } catch (IOException e) {
            // The session ended or was killed: its stages' statuses say how.
        }
    }

    /** {@code results} with the metered stage's own messages (they came on the session's stdout) as its stderr. */
    static List<CommandResult> withMeterSaid(List<CommandResult> results, StringBuilder said) {
        String text;
        synchronized (said) {
            text = said.toString();
        }
        if (text.isEmpty()) {
            return results;
        }
        List<CommandResult> all = new ArrayList<>(results);
        CommandResult first = all.get(0);
        all.set(0, new CommandResult(first.command(), first.host(), first.exitCode(), first.stdout(),
                text + first.stderr()));
        return all;
    }

    /** Kills the session; the source's stages then die of a broken pipe, and the target's receive sees its stream cut. */
    public void kill() {
        session.kill();
    }

    /** Waits for the end: the sending stages (a rate cap included) as run on the source, the receiving ones on the target. */
    public Results await() {
        List<CommandResult> all = session.await();
        try {
            meterReader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return split(withMeterSaid(all, meterSaid), receiver, receiverTag, session.host(), receiverHost);
    }

    /**
     * The session's results split by host: the sender's stages (and a rate cap) as run on the
     * source; the hop's stderr decoded into the receiver's stages, as run on the target.
     */
    static Results split(List<CommandResult> all, Pipeline receiver, String tag, String sourceHost,
                         String receiverHost) {
        List<CommandResult> sent = new ArrayList<>(all.subList(0, all.size() - 1));
        CommandResult hop = all.get(all.size() - 1);
        List<CommandResult> received = StageScript.decode(receiver, tag, receiverHost, hop.stderr());
        if (hop.exitCode() == SshHost.SSH_FAILURE && received.stream().allMatch(r -> r.exitCode() == SshHost.SSH_FAILURE)) {
            // ssh from the source could not reach the target, or lost it: say from where to where.
            List<CommandResult> named = new ArrayList<>();
            for (CommandResult r : received) {
                named.add(new CommandResult(r.command(), r.host(), r.exitCode(), r.stdout(), "the ssh from "
                        + sourceHost + " to " + receiverHost + " failed: " + r.stderr()));
            }
            received = named;
        }
        return new Results(sent, received);
    }
}
