package org.zfssync.event;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a run's events to every listener, each on its own: a listener that throws is logged and
 * skipped for that event, and never breaks the run or the listeners after it (a history database
 * that is full must not stop a replication). Delivery is serialized, so listeners see one event at
 * a time, in the order emitted, even from parallel workers. Also the clock every event is stamped
 * with, so tests control time in one place.
 */
public final class RunEvents {
    private static final Logger LOG = LoggerFactory.getLogger(RunEvents.class);
    private static final RunEvents NONE = new RunEvents(Clock.systemUTC(), List.of());

    private final Clock clock;
    private final List<RunListener> listeners;
    private final Object lock = new Object();
    /** Listener and run pairs already warned about: one warning per listener per run, then debug lines. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private RunEvents(Clock clock, List<RunListener> listeners) {
        this.clock = clock;
        this.listeners = List.copyOf(listeners);
    }

    /** Nobody listens: for tests and dry runs. */
    public static RunEvents none() {
        return NONE;
    }

    public static RunEvents of(Clock clock, List<RunListener> listeners) {
        return new RunEvents(clock, listeners);
    }

    /** These listeners and one more, on the same clock. */
    public RunEvents with(RunListener listener) {
        List<RunListener> all = new ArrayList<>(listeners);
        all.add(listener);
        return new RunEvents(clock, all);
    }

    /** True when nobody listens, so emitters can skip work done only for events (progress timers). */
    public boolean silent() {
        return listeners.isEmpty();
    }

    public Instant now() {
        return clock.instant();
    }

    /** A new run's id: random, so ids from several processes sharing one history never collide. */
    public String newRunId() {
        return UUID.randomUUID().toString();
    }

    public void emit(RunEvent event) {
        if (listeners.isEmpty()) {
            return;
        }
        synchronized (lock) {
            for (int i = 0; i < listeners.size(); i++) {
                RunListener listener = listeners.get(i);
                try {
                    listener.on(event);
                } catch (RuntimeException | LinkageError e) {
                    if (warned.add(i + " " + event.runId())) {
                        LOG.warn("run {}: the listener {} failed on {} (the run goes on; further failures of it "
                                + "are logged at debug level): {}", event.runId(), listener.getClass().getName(),
                                event.getClass().getSimpleName(), e.toString());
                    } else {
                        LOG.debug("run {}: the listener {} failed on {}: {}", event.runId(),
                                listener.getClass().getName(), event.getClass().getSimpleName(), e.toString());
                    }
                }
            }
        }
    }
}
