package org.zfssync.replication;

import java.util.List;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Pipeline;
import org.zfssync.host.DirectStream;
import org.zfssync.host.RateCap;
import org.zfssync.host.RunningPipeline;
import org.zfssync.host.SshHost;
import org.zfssync.zfs.SendProgress;

/**
 * ssh-direct: the source runs {@code zfs send | … | pv -n -b | ssh TARGET '… | zfs receive'}, so
 * the data crosses from the source to the target once and this machine keeps only its control
 * connections. The byte count comes from the counter on the source ({@link DirectStream}); a rate
 * cap is the counter's ({@code pv -L}), fixed for each stream at its start.
 */
public final class SshDirectTransport implements Transport {
    private final SshHost source;
    private final String targetName;
    private final DirectStream.Link link;
    private final boolean capOnTarget;

    /**
     * @param targetName  the target as the user named it (stages that fail there are reported with it)
     * @param link        how the source reaches the target
     * @param capOnTarget the target has pv: a rate cap is held there (see {@link RateCap})
     */
    public SshDirectTransport(SshHost source, String targetName, DirectStream.Link link, boolean capOnTarget) {
        this.source = source;
        this.targetName = targetName;
        this.link = link;
        this.capOnTarget = capOnTarget;
    }

    @Override
    public String name() {
        return TransportMode.SSH_DIRECT.text();
    }

    @Override
    public RunningStream start(TransferPipeline pipeline, RateLimiter limiter) {
        SendProgress progress = new SendProgress();
        Pipeline sender = SendProgress.verbose(pipeline.sender());
        DirectStream stream = DirectStream.start(source, sender, pipeline.receiver(), targetName, link,
                new RateCap(rate(limiter), capOnTarget), progress::read);
        return new CountedStream(progress, stream::kill, () -> {
            DirectStream.Results r = stream.await();
            return new RunningStream.Ended(r.sent(), r.received(), receiverGaveUp(r.sent(), r.received()));
        });
    }

    @Override
    public String display(TransferPipeline pipeline) {
        return DirectStream.display(source, SendProgress.verbose(pipeline.sender()), pipeline.receiver(), link,
                RateCap.none());
    }

    private static long rate(RateLimiter limiter) {
        return limiter == null ? 0 : limiter.rate();
    }

    /**
     * Whether the receiving half failed first: it failed, and every failure on the sending side
     * is only the broken pipe its going left behind.
     */
    static boolean receiverGaveUp(List<CommandResult> sent, List<CommandResult> received) {
        if (RunningPipeline.allOk(received)) {
            return false;
        }
        return RunningPipeline.allOk(sent) || Transfer.isVictim(Transfer.culprit(sent));
    }
}
