package org.zfssync.lock;

import java.util.List;
import java.util.Optional;
import org.zfssync.job.Job;
import org.zfssync.replication.Endpoint;

/**
 * What one run declares before it changes anything: its job (if it is one), a line saying what it
 * runs, and every target it may change. Declared all at once, so a run never holds half its locks.
 *
 * @param command what the run is, for the message another run prints ("zfs-sync run home")
 */
public record RunClaim(Optional<String> job, String command, List<LockTarget> targets) {
    public RunClaim {
        targets = List.copyOf(targets);
        if (command.contains("\n") || job.filter(j -> j.contains("\n") || j.contains("\t")).isPresent()) {
            throw new IllegalArgumentException("a lock claim is written one field per line");
        }
    }

    /** {@code zfs-sync sync}: only its destination; the source is only read. */
    public static RunClaim sync(Endpoint target, boolean recursive, String command) {
        return new RunClaim(Optional.empty(), command, List.of(LockTarget.of(target, recursive)));
    }

    /** {@code run}, {@code prune}, {@code snapshot}: the job's name and all of its targets. */
    public static RunClaim job(Job job, String command) {
        // Jobs are recursive unless they say otherwise (as JobRunner reads them).
        boolean recursive = job.settings().recursive() == null || job.settings().recursive();
        return new RunClaim(Optional.of(job.name()), command,
                job.targets().stream().map(t -> LockTarget.of(Endpoint.parse(t), recursive)).toList());
    }

    /** The first reason this run and {@code other} may not run at the same time, if any. */
    public Optional<Overlap> conflictWith(RunClaim other) {
        if (job.isPresent() && job.equals(other.job)) {
            return Optional.of(new Overlap.SameJob(job.get()));
        }
        for (LockTarget mine : targets) {
            for (LockTarget theirs : other.targets) {
                if (mine.overlaps(theirs)) {
                    return Optional.of(new Overlap.SameTree(mine, theirs));
                }
            }
        }
        return Optional.empty();
    }
}
