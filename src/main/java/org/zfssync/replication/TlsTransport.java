package org.zfssync.replication;

import java.util.List;
import java.util.Locale;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Pipeline;
import org.zfssync.host.RateCap;
import org.zfssync.host.RunningPipeline;
import org.zfssync.host.TlsStream;
import org.zfssync.zfs.SendProgress;

/**
 * tls: a direct TCP connection from the target to a listener on the source, for one stream at a
 * time, TLS with mutual authentication by the run's own certificates (or the user's CA); with
 * {@code --insecure-direct} plain TCP. The data crosses from the source to the target once; this
 * machine keeps its control connections. Bytes are counted on the source ({@code pv -n -b}),
 * which also holds a rate cap ({@code pv -L}), fixed for each stream at its start.
 */
public final class TlsTransport implements Transport {
    private final TlsStream.Session session;
    private final boolean capOnTarget;

    /** @param capOnTarget the target has pv: a rate cap is held there (see {@link RateCap}) */
    public TlsTransport(TlsStream.Session session, boolean capOnTarget) {
        this.session = session;
        this.capOnTarget = capOnTarget;
    }

    TlsStream.Session session() {
        return session;
    }

    @Override
    public String name() {
        return session.kind() + " via " + session.listen();
    }

    @Override
    public RunningStream start(TransferPipeline pipeline, RateLimiter limiter) {
        SendProgress progress = new SendProgress();
        Pipeline sender = SendProgress.verbose(pipeline.sender());
        TlsStream stream = TlsStream.start(session, sender, pipeline.receiver(),
                new RateCap(limiter == null ? 0 : limiter.rate(), capOnTarget), progress::read);
        return new CountedStream(progress, stream::kill, () -> {
            TlsStream.Results r = stream.await();
            return new RunningStream.Ended(r.sent(), r.received(), r.receiverFirst()
                    || receiverGaveUp(r.sent(), r.received()));
        });
    }

    @Override
    public String display(TransferPipeline pipeline) {
        return TlsStream.display(session, SendProgress.verbose(pipeline.sender()), pipeline.receiver(),
                RateCap.none());
    }

    /** Removes the run's keys and certificates from both hosts. */
    @Override
    public void close() {
        session.close();
    }

    /**
     * Whether the receiving half failed first: it failed, and the sending side failed only of what
     * its going left behind (a broken pipe, or the listener's connection reset by the target).
     */
    static boolean receiverGaveUp(List<CommandResult> sent, List<CommandResult> received) {
        if (RunningPipeline.allOk(received)) {
            return false;
        }
        if (RunningPipeline.allOk(sent)) {
            return true;
        }
        CommandResult culprit = Transfer.culprit(sent);
        return Transfer.isVictim(culprit) || culprit.stderr().toLowerCase(Locale.ROOT).contains("connection reset");
    }
}
