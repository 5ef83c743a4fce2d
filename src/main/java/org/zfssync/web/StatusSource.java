package org.zfssync.web;

import java.time.Instant;
import java.util.List;

/**
 * What the daemon tells the HTTP server. Called on the server's own threads, once per request (and once per
 * {@code /metrics} scrape), so an implementation must be thread-safe and answer from memory or the run
 * history without waiting for a replication to finish.
 */
public interface StatusSource {
    /** The service as it is now. */
    ServiceStatus status();

    /**
     * Past runs, newest first.
     *
     * @param jobOrNull only this job's runs; null for every job
     * @param since     only runs started at or after this
     * @param limit     at most this many (at least 1)
     */
    List<RunSummary> runs(String jobOrNull, Instant since, int limit);
}
