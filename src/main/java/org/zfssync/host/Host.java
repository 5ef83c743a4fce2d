package org.zfssync.host;

import java.util.List;

/**
 * Where commands run: this machine, or a remote one over ssh. Control commands (listings,
 * snapshots, destroys) share one connection per run; each data stream gets its own (a small one
 * may reuse a connection kept for streams, never the control one).
 */
public interface Host extends AutoCloseable {
    /** The host as the user named it: "local", or the ssh destination. */
    String name();

    boolean isLocal();

    /** Runs a control command to completion. Never throws for a non-zero exit: see the result. */
    CommandResult run(Command command);

    /** Runs a control command, parsing its stdout as it streams (for listings). */
    <T> Parsed<T> read(Command command, OutputParser<T> parser);

    /**
     * Runs several control commands in one round trip (one ssh session on a remote host), each
     * with its own exit status and output, in order, continuing after a failure.
     */
    List<CommandResult> runAll(List<Command> commands);

    /** Starts one half of a data stream on its own connection; the caller pumps its stdin/stdout. */
    RunningPipeline start(Pipeline pipeline);

    /**
     * Starts one half of a small data stream, which may run on a data connection kept for such
     * streams (one stream at a time on each, never on the control connection) instead of a new
     * one: for a stream of a few KiB, a new connection's setup is most of its time. By default, as
     * {@link #start}.
     */
    default RunningPipeline startReusing(Pipeline pipeline) {
        return start(pipeline);
    }

    /**
     * Whether {@link #startSequence} works here: it needs a shell on the host (a remote one; this
     * machine runs commands without a shell).
     */
    default boolean startsSequences() {
        return false;
    }

    /**
     * Starts commands that run one after another on one connection, each in turn reading the
     * session's stdin or writing its stdout (the sends of many small streams back to back, or the
     * receives that take them in turn), stopping at the first that fails. The result has one
     * entry per command, in order: those after a failure say they did not run.
     *
     * @throws UnsupportedOperationException unless {@link #startsSequences()}
     */
    default RunningPipeline startSequence(List<Command> commands) {
        throw new UnsupportedOperationException(name() + " runs no command sequences");
    }

    /** A control command exactly as {@link #run} would run it, quoted for a POSIX shell. */
    String display(Command command);

    /** A pipeline exactly as {@link #start} would run it, quoted for a POSIX shell. */
    String display(Pipeline pipeline);

    /** Releases what the run holds on this host (the multiplexed ssh connection). */
    @Override
    void close();
}
