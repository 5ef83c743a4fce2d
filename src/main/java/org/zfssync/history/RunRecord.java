package org.zfssync.history;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One recorded run, as {@code zfs-sync history} shows it.
 *
 * @param kind     {@code SYNC} or {@code JOB}
 * @param job      null for a sync
 * @param ended    null while running, or when the process died before it finished
 * @param result   a {@link org.zfssync.event.RunEvent.Result} name; null when {@code ended} is
 * @param exitCode null when unfinished
 * @param error    why it failed; null on success
 */
public record RunRecord(String id, String kind, String job, String source, String target, Instant started,
                        Instant ended, String result, Integer exitCode, long bytes, String error,
                        List<DatasetRecord> datasets) {
    public RunRecord {
        datasets = List.copyOf(datasets);
    }

    public Optional<Duration> duration() {
        return ended == null ? Optional.empty() : Optional.of(Duration.between(started, ended));
    }
}
