package org.zfssync.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.host.RunningPipeline;

/**
 * The relay: the sender and the receiver each run on their own connection from this machine,
 * and the bytes pass through here, counted (no {@code zfs send -v} needed), rate-limited and
 * buffered ({@link RelayPump}).
 */
public final class RelayTransport implements Transport {
    private final Host source;
    private final Host target;
    private final boolean reuseConnections;

    public RelayTransport(Host source, Host target) {
        this(source, target, false);
    }

    /** @param reuseConnections small streams go on the hosts' kept data connections ({@code --reuse-connections}) */
    public RelayTransport(Host source, Host target, boolean reuseConnections) {
        this.source = source;
        this.target = target;
        this.reuseConnections = reuseConnections;
    }

    @Override
    public String name() {
        return TransportMode.RELAY.text();
    }

    @Override
    public RunningStream start(TransferPipeline pipeline, RateLimiter limiter) {
        return start(pipeline, limiter, false);
    }

    /**
     * With {@code --reuse-connections}, both halves on the hosts' kept data connections: a small
     * stream spends no time on connecting. Else as any stream.
     */
    @Override
    public RunningStream startSmall(TransferPipeline pipeline, RateLimiter limiter) {
        return start(pipeline, limiter, reuseConnections);
    }

    private RunningStream start(TransferPipeline pipeline, RateLimiter limiter, boolean small) {
        RunningPipeline receiver = small ? target.startReusing(pipeline.receiver()) : target.start(pipeline.receiver());
        RunningPipeline sender;
        try {
            sender = small ? source.startReusing(pipeline.sender()) : source.start(pipeline.sender());
        } catch (RuntimeException e) {
            receiver.kill();
            receiver.await();
            throw e;
        }
        return new Relayed(sender, receiver, limiter);
    }

    /** When both hosts run command sequences (both remote). */
    @Override
    public boolean carriesSequences() {
        return source.startsSequences() && target.startsSequences();
    }

    /** The sends on one new session on the source, the receives on one on the target, relayed as one stream. */
    @Override
    public RunningStream startSequence(List<TransferPipeline> streams, RateLimiter limiter) {
        List<Command> sends = new ArrayList<>();
        List<Command> receives = new ArrayList<>();
        for (TransferPipeline p : streams) {
            if (p.sender().size() != 1 || p.receiver().size() != 1) {
                throw new IllegalArgumentException("a stream in a sequence is one send and one receive, not " + p);
            }
            sends.add(p.sender().stages().get(0));
            receives.add(p.receiver().stages().get(0));
        }
        RunningPipeline receiver = target.startSequence(receives);
        RunningPipeline sender;
        try {
            sender = source.startSequence(sends);
        } catch (RuntimeException e) {
            receiver.kill();
            receiver.await();
            throw e;
        }
        return new Relayed(sender, receiver, limiter);
    }

    /** Both halves joined by a pipe: zfs-sync relays (and counts) the bytes between them. */
    @Override
    public String display(TransferPipeline p) {
        return source.display(p.sender()) + " | " + target.display(p.receiver());
    }

    private static final class Relayed implements RunningStream {
        private final RunningPipeline sender;
        private final RunningPipeline receiver;
        private final RateLimiter limiter;
        private final AtomicLong bytes = new AtomicLong();

        Relayed(RunningPipeline sender, RunningPipeline receiver, RateLimiter limiter) {
            this.sender = sender;
            this.receiver = receiver;
            this.limiter = limiter;
        }

        @Override
        public long bytes() {
            return bytes.get();
        }

        @Override
        public void stop() {
            sender.kill();
            receiver.kill();
        }

        @Override
        public Ended await() {
            RelayPump.Outcome pumped = new RelayPump(sender.stdout(), receiver.stdin(), limiter, bytes,
                    RelayPump.capacity(Runtime.getRuntime().maxMemory())).run("relay from " + sender.host());
            if (pumped != RelayPump.Outcome.DELIVERED) {
                // The receiver closed its end, or the relay stopped: the sender cannot finish; stop it
                // rather than let it block or be read to its end for nothing.
                sender.kill();
            }
            boolean receiverGaveUp = pumped == RelayPump.Outcome.RECEIVER_GONE;
            List<CommandResult> received = receiver.await();
            List<CommandResult> sent = sender.await();
            return new Ended(sent, received, receiverGaveUp);
        }
    }
}
