package org.zfssync.replication;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.event.RunEvents;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.CommandStats;
import org.zfssync.host.Host;
import org.zfssync.host.HostPool;
import org.zfssync.host.SshOptions;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.TreeState;
import org.zfssync.zfs.Zfs;
import org.zfssync.zfs.ZfsCommands;

/**
 * One {@code restore}: reads the backup and the destination, plans ({@link RestorePlanner}), shows
 * the plan, and (unless a dry run) asks before anything that changes an existing dataset, then
 * runs it with the sync's own transfer machinery ({@link Delivery}: retries, resume tokens, each
 * dataset verified by GUID). The backup's snapshots are held while they are sent.
 */
public final class RestoreRun {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreRun.class);
    static final String HOLD_TAG = "zfs-sync-restore";
    private final SshOptions sshOptions;
    private final TransferSettings settings;
    private final Clock clock;
    private final Cancellation cancellation;
    private final HostPool.Factory hostPools;

    public RestoreRun(SshOptions sshOptions, TransferSettings settings, Clock clock, Cancellation cancellation,
                      HostPool.Factory hostPools) {
        this.sshOptions = sshOptions;
        this.settings = settings;
        this.clock = clock;
        this.cancellation = cancellation;
        this.hostPools = hostPools;
    }

    /**
     * What happened.
     *
     * @param lines     the plan as shown
     * @param completed every step ran (false: a dry run, not confirmed, or a failure)
     * @param message   what the user must know at the end (failure, where things are), or null
     */
    public record Outcome(RestorePlanner.Plan plan, List<String> lines, List<DatasetResult> results,
                          boolean completed, String message) {
    }

    /**
     * @param show    receives the plan's lines before anything changes
     * @param confirm asked (with the question) before a rollback or a swap; not asked when it is null ({@code --yes})
     */
    public Outcome run(Endpoint backup, Endpoint destination, RestorePlanner.Request request, boolean dryRun,
                       java.util.function.Consumer<List<String>> show, Predicate<String> confirm) {
        // The backup is the sending end: a restore streams the other way.
        try (HostPool hosts = hostPools.open(sshOptions, new CommandStats());
             StreamLink link = StreamLink.open(hosts, backup, destination, settings, List.of())) {
            Host backupHost = link.source();
            Host destHost = link.target();
            Zfs backupZfs = link.sourceZfs();
            Zfs destZfs = link.targetZfs();
            TreeState backupTree = backupZfs.list(backup.dataset(), request.recursive());
            TreeState destTree = destZfs.list(destination.dataset(), request.recursive() && request.inPlace());
            RestorePlanner.Plan plan = RestorePlanner.plan(request, backupTree, destTree, clock.instant());
            List<String> lines = lines(plan, backupHost, destHost, link.shape());
            show.accept(lines);
            if (dryRun) {
                return new Outcome(plan, lines, List.of(), false, null);
            }
            if (plan.mode() == RestorePlanner.Mode.ROLLBACK) {
                if (confirm != null && !confirm.test("roll back " + plan.rollbacks().size() + " dataset(s) on "
                        + destHost.name() + " to @" + plan.snapshot() + ", discarding the changes since?")) {
                    return new Outcome(plan, lines, List.of(), false, "not confirmed: nothing was changed");
                }
                return rollback(plan, lines, destHost);
            }
            List<DatasetResult> results = transfer(plan, backupTree, backupHost, destZfs, link.shape(),
                    link.transport());
            if (!results.stream().allMatch(Executor::succeeded)) {
                return new Outcome(plan, lines, results, false, plan.swap().map(s -> "the restore did not complete; "
                        + s.original() + " is unchanged; what arrived is in " + s.restored()).orElse(null));
            }
            if (plan.swap().isEmpty()) {
                return new Outcome(plan, lines, results, true, null);
            }
            RestorePlanner.Swap swap = plan.swap().get();
            if (confirm != null && !confirm.test("@" + plan.snapshot() + " arrived as " + swap.restored()
                    + "; swap names now (" + swap.original() + " is kept as " + swap.aside() + ")?")) {
                return new Outcome(plan, lines, results, false, "not confirmed: " + swap.original()
                        + " is unchanged; the restored copy is " + swap.restored());
            }
            return swap(plan, lines, results, destHost, swap);
        }
    }

    private Outcome rollback(RestorePlanner.Plan plan, List<String> lines, Host host) {
        List<DatasetResult> results = new ArrayList<>();
        for (RestorePlanner.Rollback r : plan.rollbacks()) {
            Command c = ZfsCommands.rollback(r.dataset(), r.snapshot(), !r.destroys().isEmpty());
            LOG.warn("rolling {} back to @{}{}: on {}: {}", r.dataset(), r.snapshot(), r.destroys().isEmpty() ? ""
                    : ", destroying " + r.destroys(), host.name(), host.display(c));
            CommandResult result = host.run(c);
            results.add(new DatasetResult(r.dataset().value(), r.dataset().value(), Action.UP_TO_DATE,
                    result.ok() ? DatasetResult.Status.DONE : DatasetResult.Status.FAILED, null,
                    r.dataset().snapshot(r.snapshot()), 0, 0, result.ok() ? null : result.errorLine()));
            if (!result.ok()) {
                return new Outcome(plan, lines, results, false, "rollback of " + r.dataset() + " failed: "
                        + result.errorLine());
            }
        }
        return new Outcome(plan, lines, results, true, null);
    }

    static Outcome swap(RestorePlanner.Plan plan, List<String> lines, List<DatasetResult> results, Host host,
                        RestorePlanner.Swap swap) {
        List<Command> commands = swapCommands(swap);
        for (int i = 0; i < commands.size(); i++) {
            Command c = commands.get(i);
            LOG.warn("on {}: {}", host.name(), host.display(c));
            CommandResult r = host.run(c);
            if (!r.ok()) {
                List<DatasetResult> all = new ArrayList<>(results);
                all.add(new DatasetResult(swap.restored().value(), swap.original().value(), Action.UP_TO_DATE,
                        DatasetResult.Status.FAILED, null, null, 0, 0, r.errorLine()));
                if (i > 0) {
                    // The original was renamed aside but the restored copy could not take its name:
                    // put the original back rather than leave its name empty.
                    Command back = ZfsCommands.rename(swap.aside(), swap.original());
                    LOG.warn("on {}: {} (putting the original back)", host.name(), host.display(back));
                    CommandResult undo = host.run(back);
                    if (undo.ok()) {
                        return new Outcome(plan, lines, all, false, "swapping names failed: " + r.errorLine()
                                + "; the original was put back as " + swap.original() + " (unchanged); the restored "
                                + "copy is " + swap.restored());
                    }
                }
                return new Outcome(plan, lines, all, false, "swapping names failed: " + r.errorLine() + "; "
                        + "nothing was destroyed: the original is " + swap.original() + " or " + swap.aside()
                        + ", the restored copy " + swap.restored() + " or " + swap.original());
            }
        }
        return new Outcome(plan, lines, results, true, swap.original() + " is restored; the original is kept as "
                + swap.aside());
    }

    static List<Command> swapCommands(RestorePlanner.Swap swap) {
        return List.of(ZfsCommands.rename(swap.original(), swap.aside()),
                ZfsCommands.rename(swap.restored(), swap.original()));
    }

    /** Holds the snapshots sent, streams each dataset (parents first; children of a failed one skipped), releases. */
    private List<DatasetResult> transfer(RestorePlanner.Plan plan, TreeState backupTree, Host backupHost,
                                         Zfs destZfs, StreamShape shape, Transport transport) {
        List<String> held = plan.transfers().stream().map(p -> p.source().snapshot(plan.snapshot())).toList();
        List<Command> holds = ZfsCommands.inChunks(n -> ZfsCommands.hold(HOLD_TAG, n), held);
        if (!backupHost.runAll(holds).stream().allMatch(CommandResult::ok)) {
            LOG.warn("could not hold the snapshots on {}; a pruner could destroy one mid-transfer", backupHost.name());
        }
        Map<Step.Send, Long> estimates = new ConcurrentHashMap<>();
        Delivery delivery = new Delivery(destZfs.host(), destZfs, settings, shape, settings.limiter(),
                cancellation.sleeper(), cancellation, ProgressReporter.Style.LOG, estimates, true, RunEvents.none(), "-",
                transport);
        List<DatasetResult> results = new ArrayList<>();
        List<DatasetName> failed = new ArrayList<>();
        try {
            for (DatasetPlan p : plan.transfers()) {
                if (failed.stream().anyMatch(p.target()::isSelfOrDescendantOf)) {
                    results.add(new DatasetResult(p.source().value(), p.target().value(), p.action(),
                            DatasetResult.Status.SKIPPED, null, null, 0, 0, "skipped: its parent was not restored"));
                    continue;
                }
                DatasetState source = backupTree.get(p.source());
                Delivery.Outcome o = delivery.run(p, source, null);
                if (!o.verified()) {
                    DatasetState now = destZfs.list(p.target(), false).get(p.target());
                    o = delivery.verify(p, source, now, o.result());
                }
                results.add(o.result());
                if (!Executor.succeeded(o.result())) {
                    failed.add(p.target());
                }
            }
        } finally {
            // Whatever was held (all, some or none) is released; releasing what is not held only fails.
            for (CommandResult r : backupHost.runAll(ZfsCommands.inChunks(n -> ZfsCommands.release(HOLD_TAG, n), held))) {
                if (!r.ok() && !r.stderr().contains("no such tag")) {
                    LOG.warn("could not release the hold {} on {}: {}", HOLD_TAG, backupHost.name(), r.errorLine());
                }
            }
        }
        return results;
    }

    /** The plan for people: the way chosen, why, and every command as it would run. */
    static List<String> lines(RestorePlanner.Plan plan, Host backup, Host dest, StreamShape shape) {
        List<String> out = new ArrayList<>();
        String what = "@" + plan.snapshot() + " (created " + plan.created() + ")";
        switch (plan.mode()) {
            case NEW -> out.add("restore " + what + " into a new dataset on " + dest.name() + " (full send"
                    + (plan.transfers().size() > 1 ? "s of " + plan.transfers().size() + " datasets" : "") + "):");
            case ROLLBACK -> out.add("restore " + what + " in place on " + dest.name() + " by rollback:");
            case SWAP -> out.add("restore " + what + " in place on " + dest.name()
                    + ": receive beside the original, then swap names (the original is kept):");
            default -> throw new IllegalStateException(plan.mode().toString());
        }
        plan.notes().forEach(n -> out.add("  # " + n));
        if (!plan.transfers().isEmpty()) {
            List<String> held = plan.transfers().stream().map(p -> p.source().snapshot(plan.snapshot())).toList();
            out.add("hold the snapshots sent on " + backup.name() + " until the transfers end:");
            out.add("    " + backup.display(ZfsCommands.hold(HOLD_TAG, held)));
        }
        for (DatasetPlan p : plan.transfers()) {
            out.add(p.source() + "@" + plan.snapshot() + " -> " + p.target() + ":");
            for (Step step : p.steps()) {
                if (step instanceof Step.Send s) {
                    TransferPipeline t = StepCommands.pipeline(s, shape);
                    out.add("    " + backup.display(t.sender()) + " | " + dest.display(t.receiver()));
                } else {
                    StepCommands.targetCommands(step).forEach(c -> out.add("    " + dest.display(c)));
                }
            }
        }
        if (!plan.transfers().isEmpty()) {
            out.add("    " + backup.display(ZfsCommands.release(HOLD_TAG,
                    plan.transfers().stream().map(p -> p.source().snapshot(plan.snapshot())).toList())));
        }
        for (RestorePlanner.Rollback r : plan.rollbacks()) {
            out.add("    " + dest.display(ZfsCommands.rollback(r.dataset(), r.snapshot(), !r.destroys().isEmpty()))
                    + "   # destructive: discards changes since @" + r.snapshot()
                    + (r.destroys().isEmpty() ? "" : " and destroys " + r.destroys()));
        }
        plan.swap().ifPresent(s -> {
            out.add("after confirmation, swap names on " + dest.name() + " (nothing is destroyed):");
            swapCommands(s).forEach(c -> out.add("    " + dest.display(c)));
        });
        return out;
    }
}
