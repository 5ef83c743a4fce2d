package org.zfssync.event;

/**
 * Consumes a run's events. Called on the run's threads (workers, progress timers), one event at a
 * time; a listener should be quick, and may throw: {@link RunEvents} logs it and the run goes on.
 */
@FunctionalInterface
public interface RunListener {
    void on(RunEvent event);
}
