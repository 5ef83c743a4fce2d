package org.zfssync.replication;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.host.Command;
import org.zfssync.host.CommandFailedException;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.host.ShellQuote;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.TreeState;

/**
 * The tiny streams of a tree, run back to back on one session on each host
 * ({@link Transport#startSequence}) instead of one pair of sessions each: in a tree of many small
 * datasets a stream's own time is a fraction of what a new session, a login and a remote shell
 * cost, so this is where such a sync spends its time. A dataset qualifies when its plan is only
 * sends (after a new target's {@code zfs create -p} of its parent, run first), each one bounded by the source listing below {@link StreamSize#TINY} (so it runs as a
 * bare {@code zfs send | zfs receive}, with no stage between that could read past a stream's
 * end), and a new target's parent exists before the sequence or arrives earlier in it.
 *
 * <p>Nothing here decides that a dataset is done: a dataset whose every send and receive exited 0
 * is verified by GUID with the rest of the tree in one listing afterwards, exactly like a single
 * stream that zfs reported complete ({@link Delivery}). The first dataset that did not arrive,
 * and every later one, continue on their own from what the target then holds (resume token,
 * retries and all); a failure is logged with its dataset, command, host and stderr.
 */
final class Sequences {
    private static final Logger LOG = LoggerFactory.getLogger(Sequences.class);
    /**
     * The longest script per session. Linux caps one argument (the remote shell's {@code -c}
     * script) at 128 KiB; a bigger tree runs as several sequences, one after another.
     */
    static final int MAX_SCRIPT = 64 * 1024;
    /** A generous allowance per command for the status markers the script adds around it. */
    private static final int PER_COMMAND = 160;

    private final Transport transport;
    private final Host target;
    private final TransferSettings settings;
    private final RateLimiter limiter;
    private final Cancellation cancellation;

    /** @param target where a new target's missing parent is made ({@code zfs create -p}) before its sequence */
    Sequences(Transport transport, Host target, TransferSettings settings, RateLimiter limiter,
              Cancellation cancellation) {
        this.transport = transport;
        this.target = target;
        this.settings = settings;
        this.limiter = limiter;
        this.cancellation = cancellation;
    }

    /**
     * What the sequences did.
     *
     * @param arrived by plan index: every stream of the dataset exited 0 (not yet verified)
     * @param rejoin  plan indexes that were in a sequence but did not arrive: they continue on their
     *                own from what the target holds
     */
    record Outcome(Map<Integer, DatasetResult> arrived, Set<Integer> rejoin) {
    }

    /**
     * The datasets that may run in sequences, in plan order, cut into sequences that each fit one
     * session; empty when the transport cannot carry them or fewer than two streams would.
     */
    List<List<Integer>> choose(Plan plan, TreeState sourceNow) {
        return choose(transport, plan, sourceNow);
    }

    /**
     * As {@link #choose(Plan, TreeState)} for {@code transport}; also for the plan printer. The
     * source may be as listed before the sync snapshot (whatever was written since the newest
     * snapshot then counts).
     */
    static List<List<Integer>> choose(Transport transport, Plan plan, TreeState sourceNow) {
        if (!transport.carriesSequences()) {
            return List.of();
        }
        List<DatasetPlan> plans = plan.datasets();
        int[] parents = TreeScheduler.nearestAncestors(plans.stream().map(DatasetPlan::source).toList());
        Set<Integer> chosen = new HashSet<>();
        List<List<Integer>> sequences = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        int sendLength = 0;
        int receiveLength = 0;
        int streams = 0;
        for (int i = 0; i < plans.size(); i++) {
            DatasetPlan p = plans.get(i);
            List<Step.Send> sends = tinySends(p, sourceNow.get(p.source()));
            if (sends.isEmpty()) {
                continue;
            }
            int parent = parents[i];
            if (p.createsTarget() && parent >= 0 && !chosen.contains(parent) && plans.get(parent).createsTarget()) {
                // Its target's parent is made later, on its own: this receive would find no parent.
                continue;
            }
            int s = 0;
            int r = 0;
            for (Step.Send send : sends) {
                s += ShellQuote.join(StepCommands.send(send).argv()).length() + PER_COMMAND;
                r += ShellQuote.join(StepCommands.receive(send).argv()).length() + PER_COMMAND;
            }
            if (!current.isEmpty() && (sendLength + s > MAX_SCRIPT || receiveLength + r > MAX_SCRIPT)) {
                sequences.add(current);
                current = new ArrayList<>();
                sendLength = 0;
                receiveLength = 0;
            }
            current.add(i);
            chosen.add(i);
            sendLength += s;
            receiveLength += r;
            streams += sends.size();
        }
        if (!current.isEmpty()) {
            sequences.add(current);
        }
        return streams < 2 ? List.of() : sequences;
    }

    /** A plan's sends when it is nothing but tiny sends, else none. */
    private static List<Step.Send> tinySends(DatasetPlan p, DatasetState source) {
        if (p.refusal().isPresent() || p.steps().isEmpty() || source == null) {
            return List.of();
        }
        List<Step.Send> sends = new ArrayList<>();
        for (Step step : p.steps()) {
            if (step instanceof Step.CreateParent && sends.isEmpty()) {
                continue;
            }
            long bound = step instanceof Step.Send send ? StreamSize.boundOf(source, send) : -1;
            if (bound < 0 || bound >= StreamSize.TINY) {
                return List.of();
            }
            sends.add((Step.Send) step);
        }
        return sends;
    }

    /**
     * Runs the sequences in turn; after one in which a dataset did not arrive, the rest of the
     * datasets continue on their own too (a later sequence may hold its children).
     *
     * @param onStart told of each dataset as its sequence starts
     */
    Outcome run(Plan plan, List<List<Integer>> sequences, TreeState sourceNow, Consumer<DatasetPlan> onStart) {
        Map<Integer, DatasetResult> arrived = new HashMap<>();
        Set<Integer> rejoin = new LinkedHashSet<>();
        boolean broken = false;
        for (List<Integer> sequence : sequences) {
            if (broken || cancellation.isCancelled()) {
                rejoin.addAll(sequence);
                continue;
            }
            broken = !runOne(plan, sequence, sourceNow, onStart, arrived, rejoin);
        }
        return new Outcome(arrived, rejoin);
    }

    /** One sequence; false if some dataset in it did not arrive. */
    private boolean runOne(Plan plan, List<Integer> sequence, TreeState sourceNow, Consumer<DatasetPlan> onStart,
                           Map<Integer, DatasetResult> arrived, Set<Integer> rejoin) {
        List<TransferPipeline> streams = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>();
        List<Long> weights = new ArrayList<>();
        List<Command> parents = new ArrayList<>();
        for (int i : sequence) {
            DatasetPlan p = plan.datasets().get(i);
            onStart.accept(p);
            int first = streams.size();
            long weight = 1;
            for (Step step : p.steps()) {
                if (step instanceof Step.CreateParent c) {
                    parents.addAll(StepCommands.targetCommands(c));
                    continue;
                }
                Step.Send send = (Step.Send) step;
                LOG.info("{} (in sequence)", Delivery.describe(send));
                streams.add(StepCommands.pipeline(send, StreamShape.plain()));
                weight += Math.max(0, StreamSize.boundOf(sourceNow.get(p.source()), send));
            }
            ranges.add(new int[] {first, streams.size()});
            weights.add(weight);
        }
        long start = System.nanoTime();
        Transfer.SequenceEnded ended;
        try {
            for (CommandResult r : parents.isEmpty() ? List.<CommandResult>of() : target.runAll(parents)) {
                if (!r.ok()) {
                    throw new CommandFailedException(r);
                }
            }
            ended = new Transfer(transport, settings.stallTimeout(), limiter, cancellation).runSequence(streams);
        } catch (Cancellation.CancelledException e) {
            rejoin.addAll(sequence);
            return false;
        } catch (RuntimeException e) {
            LOG.warn("could not run {} streams in one session on each side ({}); each dataset goes on alone",
                    streams.size(), e.getMessage());
            rejoin.addAll(sequence);
            return false;
        }
        List<CommandResult> sent = ended.ended().sent();
        List<CommandResult> received = ended.ended().received();
        int firstMissing = sequence.size();
        for (int j = 0; j < sequence.size() && firstMissing == sequence.size(); j++) {
            for (int k = ranges.get(j)[0]; k < ranges.get(j)[1]; k++) {
                if (!sent.get(k).ok() || !received.get(k).ok()) {
                    firstMissing = j;
                    logFailure(plan.datasets().get(sequence.get(j)), sent.get(k), received.get(k), ended);
                    break;
                }
            }
        }
        long weightSum = 0;
        for (int j = 0; j < Math.min(firstMissing + 1, sequence.size()); j++) {
            weightSum += weights.get(j);
        }
        LOG.info("sent {} bytes in {} streams of {} datasets in one session on each side in {} ms{}", ended.bytes(),
                streams.size(), sequence.size(), (System.nanoTime() - start) / 1_000_000,
                firstMissing < sequence.size() ? "; " + (sequence.size() - firstMissing) + " dataset(s) go on alone" : "");
        for (int j = 0; j < sequence.size(); j++) {
            int i = sequence.get(j);
            if (j >= firstMissing) {
                rejoin.add(i);
                continue;
            }
            DatasetPlan p = plan.datasets().get(i);
            // The relay counts the sequence as one stream: each dataset's part of it is its share by the listing.
            long bytes = weightSum == 0 ? 0 : ended.bytes() * weights.get(j) / weightSum;
            arrived.put(i, new DatasetResult(p.source().value(), p.target().value(), p.action(),
                    DatasetResult.Status.DONE, Executor.firstFrom(p), Executor.lastTo(p), bytes, 0, null));
        }
        return firstMissing == sequence.size();
    }

    /** The culprit as {@link Transfer#blamed} picks it: the receive, unless the send failed first. */
    private static void logFailure(DatasetPlan p, CommandResult sent, CommandResult received,
                                   Transfer.SequenceEnded ended) {
        CommandResult culprit = Transfer.blamed(List.of(sent), List.of(received), ended.ended().receiverGaveUp());
        LOG.warn("{} -> {}: {}`{}` on {} failed in the sequence (exit {}): {}; it goes on alone from what the target "
                + "holds", p.source(), p.target(), ended.stalled() ? "stalled, " : "", culprit.command(), culprit.host(),
                culprit.exitCode(), culprit.errorLine());
    }
}
