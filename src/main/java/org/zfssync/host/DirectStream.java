package org.zfssync.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;

/**
 * A stream that never passes through this machine: one ssh session to the source host runs
 * {@code sender | counter | ssh TARGET 'receiver'}, so the bytes go from the source straight to
 * the target. The counter ({@code pv -n -b}) writes a running byte count to the session's stdout
 * once a second, read here for progress and stall detection. The session's stages report their
 * status and stderr by {@link StageScript}; the receiving half runs under its own
 * {@link StageScript} with its own tag, whose lines arrive inside the ssh stage's stderr, so every
 * stage on both hosts keeps its own exit status and stderr, named with its host.
 */
public final class DirectStream {
    private static final Pattern COUNT = Pattern.compile("\\d{1,19}");
    private final RunningPipeline session;
    private final Pipeline sender;
    private final Pipeline receiver;
    private final String receiverHost;
    private final String receiverTag;
    private final Thread meterReader;

    /** Each stage's result, on the side where it ran. */
    public record Results(List<CommandResult> sent, List<CommandResult> received) {
    }

    private DirectStream(RunningPipeline session, Pipeline sender, Pipeline receiver, String receiverHost,
                         String receiverTag, LongConsumer counted) {
        this.session = session;
        this.sender = sender;
        this.receiver = receiver;
        this.receiverHost = receiverHost;
        this.receiverTag = receiverTag;
        this.meterReader = new Thread(() -> readCounts(counted), "byte counter " + session.host());
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
        return source.display(sender.then(cap.counter()).then(link.ssh(SshHost.plainRemoteCommand(
                cap.receiving(receiver)))));
    }

    /**
     * Starts the stream: one ssh session to {@code source}; {@code counted} hears the bytes
     * counted so far, as the counter reports them.
     */
    public static DirectStream start(SshHost source, Pipeline sender, Pipeline receiver, String receiverHost,
                                     Link link, RateCap cap, LongConsumer counted) {
        String tag = SshHost.newTag();
        Pipeline remote = cap.receiving(receiver);
        Pipeline whole = session(sender, cap.counter(), link::ssh, remote, tag);
        RunningPipeline session = source.startMetered(whole, sender.size(), display(source, sender, receiver, link,
                cap), link.forwardAgent());
        try {
            session.stdin().close();
        } catch (IOException e) {
            // Nothing reads the session's stdin; a close that fails changes nothing.
        }
        return new DirectStream(session, sender, remote, receiverHost, tag, counted);
    }

    /**
     * What the source's session runs: {@code sender | counter | hop}, where the hop (ssh to the
     * target) runs the receiver under a {@link StageScript} of its own, tagged {@code tag}; run it
     * with stage {@code sender.size()} (the counter) as the meter.
     */
    static Pipeline session(Pipeline sender, Command counter, Function<String, Command> hop, Pipeline receiver,
                            String tag) {
        return sender.then(counter).then(hop.apply(ShellQuote.loginScript(StageScript.render(receiver, tag))));
    }

    private void readCounts(LongConsumer counted) {
        readCounts(session.stdout(), counted);
    }

    /** Reads a counter's running totals ({@code pv -n -b}: one number a line) until the stream ends. */
    static void readCounts(java.io.InputStream counts, LongConsumer counted) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(counts, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String s = line.strip();
                if (COUNT.matcher(s).matches()) {
                    counted.accept(Long.parseLong(s));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // The session ended or was killed: its stages' statuses say how.
        }
    }

    /** Kills the session; the source's stages then die of a broken pipe, and the target's receive sees its stream cut. */
    public void kill() {
        session.kill();
    }

    /** Waits for the end: the sending stages (counter included) as run on the source, the receiving ones on the target. */
    public Results await() {
        List<CommandResult> all = session.await();
        try {
            meterReader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return split(all, sender.size(), receiver, receiverTag, session.host(), receiverHost);
    }

    /**
     * The session's results split by host: the sender's stages and the counter as run on the
     * source; the hop's stderr decoded into the receiver's stages, as run on the target.
     */
    static Results split(List<CommandResult> all, int senderSize, Pipeline receiver, String tag, String sourceHost,
                         String receiverHost) {
        List<CommandResult> sent = new ArrayList<>(all.subList(0, senderSize + 1));
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
