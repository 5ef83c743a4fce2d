package org.zfssync.web;

/**
 * Asks the daemon to run a job now ({@code POST /api/jobs/NAME/run}, {@code zfs-sync trigger}). Called on a
 * server thread: an implementation queues the run and returns at once; it never runs the job on the caller's
 * thread.
 */
public interface JobTrigger {
    /** Queues a run of {@code job}, or says why not. */
    TriggerResult trigger(String job);
}
