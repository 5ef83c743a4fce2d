package org.zfssync.replication;

import java.util.List;
import java.util.Map;

/** The outcome of a run, for people (printed) and machines ({@code --json}). */
public record SyncReport(String source, String target, boolean dryRun, String snapshot, List<DatasetResult> datasets,
                         List<String> destroyedSource, List<String> destroyedTarget, Map<String, Long> commands) {
    public SyncReport {
        datasets = List.copyOf(datasets);
        destroyedSource = List.copyOf(destroyedSource);
        destroyedTarget = List.copyOf(destroyedTarget);
        commands = Map.copyOf(commands);
    }

    public SyncReport withCommands(Map<String, Long> counts) {
        return new SyncReport(source, target, dryRun, snapshot, datasets, destroyedSource, destroyedTarget, counts);
    }

    public long count(DatasetResult.Status status) {
        return datasets.stream().filter(d -> d.status() == status).count();
    }

    public long bytes() {
        return datasets.stream().mapToLong(DatasetResult::bytes).sum();
    }
}
