package org.zfssync.replication;

import java.util.List;
import org.zfssync.host.CommandResult;

/**
 * A stream a {@link Transport} started: bytes so far, a way to stop it, and at its end every
 * stage's exit status and stderr, named by host, whichever transport carried it.
 */
public interface RunningStream {
    /** Bytes moved so far; readable from another thread (progress, stall detection). */
    long bytes();

    /** Stops the stream on both hosts; {@link #await} then returns what each stage said. */
    void stop();

    /** Runs (or waits for) the stream to its end. */
    Ended await();

    /**
     * How a stream ended.
     *
     * @param sent           the sending half's stages, in data order
     * @param received       the receiving half's stages, in data order
     * @param receiverGaveUp the receiving half stopped reading first: its failure is the cause, not the sender's
     */
    record Ended(List<CommandResult> sent, List<CommandResult> received, boolean receiverGaveUp) {
        public Ended {
            sent = List.copyOf(sent);
            received = List.copyOf(received);
        }
    }
}
