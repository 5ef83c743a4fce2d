package org.zfssync.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.zfssync.replication.Glob;
import org.zfssync.replication.Selection;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.Snapshot;
import org.zfssync.zfs.TreeState;

/**
 * How far a target is behind its source, per dataset: the age of the newest source snapshot that
 * the target has (matched by GUID). A target without any of them has never been replicated.
 *
 * @param seconds      age of {@code replicatedAs} now; null when never replicated or unknown
 * @param replicatedAs the newest source snapshot present on the target, or null
 * @param problem      why the lag is unknown (target unreachable, ...), or null
 */
public record Lag(String job, String target, String dataset, Long seconds, String replicatedAs, String problem) {

    /** Pure: the lag of every dataset the job replicates, from one listing of each side. */
    public static List<Lag> compute(Job job, String targetLabel, TreeState source, TreeState target, Instant now) {
        boolean recursive = job.settings().recursive() == null || job.settings().recursive();
        List<Glob> excludes = JobRunner.excludes(job.settings());
        List<Glob> includes = JobRunner.includes(job.settings());
        List<Lag> result = new ArrayList<>();
        if (!source.rootExists()) {
            return result;
        }
        for (DatasetState s : Selection.of(source, recursive, includes, excludes)) {
            DatasetName targetName = target.root().resolve(s.name().relativeTo(source.root()));
            DatasetState t = target.get(targetName);
            Set<Long> onTarget = new HashSet<>();
            if (t != null) {
                t.snapshots().forEach(x -> onTarget.add(x.guid()));
            }
            Snapshot newest = null;
            for (Snapshot x : s.snapshots()) {
                if (onTarget.contains(x.guid())) {
                    newest = x;
                }
            }
            result.add(newest == null
                    ? new Lag(job.name(), targetLabel, s.name().value(), null, null, null)
                    : new Lag(job.name(), targetLabel, s.name().value(),
                            Math.max(0, Duration.between(Instant.ofEpochSecond(newest.creation()), now).toSeconds()),
                            newest.name(), null));
        }
        return result;
    }

    /** {@code 3d 4h}, {@code 2h 5m}, {@code 40s}, {@code never}, or {@code ?} when unknown. */
    public String shortText() {
        if (problem != null) {
            return "?";
        }
        if (seconds == null) {
            return "never";
        }
        long s = seconds;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 86_400) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        return s / 86_400 + "d " + s % 86_400 / 3600 + "h";
    }
}
