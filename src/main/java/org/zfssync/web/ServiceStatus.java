package org.zfssync.web;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the service knows at one moment: every configured job with its targets, the transfers running now,
 * and the most recent runs (newest first). One such value is rendered per request, so a page is consistent.
 *
 * @param now        the moment the status was taken; RPOs and ETAs are measured against it
 * @param jobs       every configured job, in config order
 * @param running    transfers in flight
 * @param recentRuns the last runs, newest first (the page shows them; the API has {@code /api/runs} for more)
 */
public record ServiceStatus(Instant now, List<JobStatus> jobs, List<RunningTransfer> running, List<RunSummary> recentRuns) {
    public ServiceStatus {
        Objects.requireNonNull(now, "now");
        jobs = List.copyOf(jobs);
        running = List.copyOf(running);
        recentRuns = List.copyOf(recentRuns);
    }
}
