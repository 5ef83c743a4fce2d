/**
 * zfs-sync as a service, the HTTP side: the status page, the JSON API, Prometheus {@code /metrics} and the
 * client of {@code zfs-sync trigger}.
 *
 * <p>A leaf package: it knows nothing of jobs, hosts or the run history. The daemon feeds it through two
 * small interfaces, {@link org.zfssync.web.StatusSource} (what the service knows now, and its past runs) and
 * {@link org.zfssync.web.JobTrigger} (run a job now), and reports run events to
 * {@link org.zfssync.web.ServiceMetrics}. Everything the server shows is one of the records here.
 */
package org.zfssync.web;
