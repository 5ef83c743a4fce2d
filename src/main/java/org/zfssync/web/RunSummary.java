package org.zfssync.web;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One finished (or still running) run of a job to one target, as the run history keeps it.
 *
 * @param id      the history's id of the run
 * @param job     the job's name
 * @param source  the source side
 * @param target  the target side
 * @param started when it started
 * @param ended   when it ended; null while it runs
 * @param result  how it ended, in the history's words (e.g. {@code success}, {@code failed}, {@code refused}); null while it runs
 * @param bytes   bytes sent
 * @param error   the error of a run that did not succeed; null otherwise
 */
public record RunSummary(long id, String job, String source, String target, Instant started, Instant ended,
                         String result, long bytes, String error) {
    public RunSummary {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(started, "started");
    }

    /** How long it took; empty while it runs. */
    public Optional<Duration> duration() {
        return ended == null ? Optional.empty() : Optional.of(Duration.between(started, ended));
    }
}
