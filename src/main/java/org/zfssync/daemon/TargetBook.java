package org.zfssync.daemon;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.zfssync.event.RunEvent;
import org.zfssync.event.RunListener;
import org.zfssync.history.StatusRow;
import org.zfssync.web.RunningTransfer;
import org.zfssync.web.TargetStatus;

/**
 * What the daemon knows of each job's targets while it runs, kept from the run events: the last
 * success, the newest snapshot each target holds (the recovery point), since when it fails and
 * why, and the transfers running now. Seeded at start from the run history, so a restart does
 * not forget a target that has been failing for a day.
 */
final class TargetBook implements RunListener {
    /** One job's target, as the config names it (normalised by the events' endpoint text). */
    record Key(String job, String target) {
    }

    private static final class Entry {
        Instant lastSuccess;
        Instant failingSince;
        String lastError;
        /**
         * Newest snapshot on the target per dataset, with its recovery point (its creation, or the
         * start of a run that found the source unchanged since): the oldest is the tree's.
         */
        final Map<String, RunEvent.HeldSnapshot> newest = new LinkedHashMap<>();
    }

    private record Transfer(Key key, String source, String dataset, long bytes, long estimate, double rate,
                            Instant started) {
    }

    private final Map<Key, Entry> entries = new HashMap<>();
    private final StartedRuns runs = new StartedRuns();
    private final Map<String, Transfer> transfers = new LinkedHashMap<>();
    /** Per run, the datasets it reported a newest snapshot for. */
    private final Map<String, java.util.Set<String>> reported = new HashMap<>();

    /** A target as the events name it ({@code host:pool/fs}), from the config's spelling. */
    static String normalise(String target) {
        return org.zfssync.replication.Endpoint.parse(target).toString();
    }

    /** The history's view at start: last success, newest snapshot, failing since, last error. */
    synchronized void seed(List<StatusRow> rows) {
        for (StatusRow row : rows) {
            if (row.job() == null) {
                continue;
            }
            Entry e = entries.computeIfAbsent(new Key(row.job(), row.target()), k -> new Entry());
            e.lastSuccess = row.lastSuccess();
            e.failingSince = row.failingSince();
            e.lastError = row.lastError();
            if (row.newestSnapshot() != null && row.newestCreation() != null) {
                e.newest.put("", new RunEvent.HeldSnapshot("", row.newestSnapshot(), row.newestCreation()));
            }
        }
    }

    @Override
    public synchronized void on(RunEvent event) {
        runs.note(event);
        if (event instanceof RunEvent.DatasetStarted d) {
            runs.of(d.runId()).ifPresent(s -> transfers.put(d.runId() + " " + d.source(), new Transfer(
                    new Key(s.job(), s.target()), s.source(), d.source(), 0, d.estimateBytes(), 0, d.at())));
        } else if (event instanceof RunEvent.Progress p) {
            transfers.computeIfPresent(p.runId() + " " + p.source(), (id, t) -> new Transfer(t.key(), t.source(),
                    t.dataset(), p.bytes(), p.estimateBytes(), p.bytesPerSecond(), t.started()));
        } else if (event instanceof RunEvent.DatasetFinished f) {
            transfers.remove(f.runId() + " " + f.source());
            RunEvent.RunStarted started = runs.of(f.runId()).orElse(null);
            if (started != null && f.newestOnTarget() != null) {
                RunEvent.HeldSnapshot held = f.newestOnTarget();
                // A source unchanged since its newest snapshot (UP_TO_DATE) was current on the target
                // as of this run's start: that is its recovery point, not the snapshot's age.
                if (f.status() == RunEvent.DatasetStatus.UP_TO_DATE && started.at().isAfter(held.creation())) {
                    held = new RunEvent.HeldSnapshot(held.dataset(), held.snapshot(), started.at());
                }
                Entry e = entries.computeIfAbsent(new Key(started.job(), started.target()), x -> new Entry());
                e.newest.remove("");
                e.newest.put(held.dataset(), held);
                reported.computeIfAbsent(f.runId(), x -> new java.util.HashSet<>()).add(held.dataset());
            }
        } else if (event instanceof RunEvent.RunFinished f) {
            finished(f);
        }
        // snapshots taken and prunes change no target's standing
    }

    private void finished(RunEvent.RunFinished f) {
        RunEvent.RunStarted s = runs.finish(f.runId()).orElse(null);
        java.util.Set<String> seen = reported.remove(f.runId());
        transfers.keySet().removeIf(id -> id.startsWith(f.runId() + " "));
        if (s == null || f.result() == RunEvent.Result.CANCELLED) {
            return; // a stop by signal says nothing about the target
        }
        Entry e = entries.computeIfAbsent(new Key(s.job(), s.target()), x -> new Entry());
        if (f.result() == RunEvent.Result.SUCCESS) {
            // A dataset this whole run did not report (destroyed, newly excluded) no longer holds the tree back.
            if (seen != null) {
                e.newest.keySet().retainAll(seen);
            }
            e.lastSuccess = f.at();
            e.failingSince = null;
            e.lastError = null;
        } else {
            if (e.failingSince == null) {
                e.failingSince = s.at(); // when the failing run started, as the history counts it
            }
            e.lastError = f.error() != null ? f.error() : f.result().name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The last run's error of this target while it fails; empty while it succeeds. */
    synchronized Optional<String> failure(Key key) {
        Entry e = entries.get(key);
        return e == null || e.failingSince == null ? Optional.empty() : Optional.ofNullable(e.lastError);
    }

    synchronized TargetStatus status(Key key) {
        Entry e = entries.get(key);
        if (e == null) {
            return new TargetStatus(key.target(), null, null, null, null, null);
        }
        // A tree is only as recent as its least recent dataset.
        RunEvent.HeldSnapshot oldest = e.newest.values().stream()
                .min(java.util.Comparator.comparing(RunEvent.HeldSnapshot::creation)).orElse(null);
        return new TargetStatus(key.target(), e.lastSuccess, oldest == null ? null : oldest.snapshot(),
                oldest == null ? null : oldest.creation(), e.failingSince, e.lastError);
    }

    synchronized List<RunningTransfer> running() {
        List<RunningTransfer> result = new ArrayList<>();
        for (Transfer t : transfers.values()) {
            result.add(new RunningTransfer(t.key().job(), t.source(), t.key().target(), t.dataset(), t.bytes(),
                    t.estimate(), t.rate(), t.started()));
        }
        return result;
    }
}
