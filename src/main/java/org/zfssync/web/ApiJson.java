package org.zfssync.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The JSON API's documents. Its field names are a contract (scripts read them), so they are spelled out here
 * as records rather than derived from the model: times are ISO-8601 strings in UTC, durations whole seconds,
 * absent values {@code null} (every field is always present).
 */
final class ApiJson {
    private final ObjectMapper mapper = new ObjectMapper();

    record Status(String now, List<Job> jobs, List<Transfer> running, List<Run> recentRuns) {
    }

    record Job(String name, String level, long rpoWarnSeconds, long rpoCriticalSeconds, String nextRun,
               boolean running, List<Target> targets) {
    }

    record Target(String target, String level, Long rpoSeconds, String lastSuccess, String newestSnapshot,
                  String newestSnapshotCreated, String failingSince, String lastError) {
    }

    record Transfer(String job, String source, String target, String dataset, long bytes, long estimate,
                    double bytesPerSecond, Long etaSeconds, String started) {
    }

    record Run(long id, String job, String source, String target, String started, String ended, String result,
               long bytes, Long durationSeconds, String error) {
    }

    record Runs(List<Run> runs) {
    }

    record Triggered(String job, String result) {
    }

    record Error(String error) {
    }

    String write(Object document) {
        try {
            return mapper.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            // Only these records are written, and they always serialize.
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    static Status status(ServiceStatus s) {
        Instant now = s.now();
        List<Job> jobs = s.jobs().stream().map(j -> new Job(j.name(), j.level(now).id(), j.rpoWarn().getSeconds(),
                j.rpoCritical().getSeconds(), iso(j.nextRun()), j.running(),
                j.targets().stream().map(t -> new Target(t.target(), t.level(now, j.rpoWarn(), j.rpoCritical()).id(),
                        seconds(t.rpo(now)), iso(t.lastSuccess()), t.newestSnapshot(), iso(t.newestSnapshotCreated()),
                        iso(t.failingSince()), t.lastError())).toList())).toList();
        List<Transfer> running = s.running().stream().map(t -> new Transfer(t.job(), t.source(), t.target(),
                t.dataset(), t.bytes(), t.estimate(), t.bytesPerSecond(), seconds(t.eta()), iso(t.started()))).toList();
        return new Status(iso(now), jobs, running, runs(s.recentRuns()));
    }

    static List<Run> runs(List<RunSummary> runs) {
        return runs.stream().map(r -> new Run(r.id(), r.job(), r.source(), r.target(), iso(r.started()), iso(r.ended()),
                r.result(), r.bytes(), seconds(r.duration()), r.error())).toList();
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }

    private static Long seconds(Optional<Duration> d) {
        return d.map(Duration::getSeconds).orElse(null);
    }
}
