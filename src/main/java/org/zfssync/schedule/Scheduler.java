package org.zfssync.schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pure core of the daemon: it reads no clock and starts nothing. Told the tasks (a job's
 * replication, its snapshots, its pruning: each a {@link Task} under a key of the caller's
 * choosing), which of them are running, and the time, it answers which are due, which slots were
 * skipped because their task was still running (counted per task), and when to ask again.
 *
 * <p>A slot is a time its schedule names. A task whose slot has come is due, unless it is still
 * running: then every slot that passed meanwhile is skipped and counted, and the next slot is the
 * first one after now (a job never runs twice at once, nor catches up a pile of runs). A slot that
 * comes while the task's windows forbid a start waits for the next opening and runs there once.
 * Slots missed while the daemon was down run once at start (like anacron), when the last start is
 * known.
 */
public final class Scheduler {
    /**
     * @param lastStart when it last started (from history), or null: then an every-duration runs
     *                  at once and a cron expression at its first time
     */
    public record Task(String key, Schedule schedule, Windows windows, Instant lastStart) {
    }

    /**
     * @param due      tasks to start now, in the order given
     * @param skipped  slots skipped in this call, per task (only tasks with some)
     * @param wakeAt   when to call again at the latest (a slot, or a window boundary where a held
     *                 task may start or a running one's bandwidth changes); empty with no tasks
     */
    public record Decision(List<String> due, Map<String, Integer> skipped, Optional<Instant> wakeAt) {
        public Decision {
            due = List.copyOf(due);
            skipped = Map.copyOf(skipped);
        }
    }

    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final Map<String, Instant> nextSlot = new HashMap<>();
    private final Map<String, Long> skippedTotal = new HashMap<>();

    public Scheduler(Collection<Task> tasks, Instant now) {
        replace(tasks, now);
    }

    /**
     * Takes a new set of tasks (a reloaded config). A task whose key and schedule are unchanged
     * keeps its next slot and its count; a new or changed one starts from its last start.
     */
    public void replace(Collection<Task> newTasks, Instant now) {
        Map<String, Task> old = new LinkedHashMap<>(tasks);
        tasks.clear();
        for (Task t : newTasks) {
            tasks.put(t.key(), t);
            Task before = old.get(t.key());
            if (before == null || !before.schedule().equals(t.schedule())) {
                nextSlot.put(t.key(), t.lastStart() == null ? t.schedule().first(now)
                        : t.schedule().next(t.lastStart()));
            }
        }
        nextSlot.keySet().retainAll(tasks.keySet());
        skippedTotal.keySet().retainAll(tasks.keySet());
    }

    /**
     * What to do at {@code now}. Each task returned as due is taken as started at {@code now}: its
     * next slot is counted from there.
     *
     * @param running the keys of tasks running now
     */
    public Decision tick(Instant now, Set<String> running) {
        List<String> due = new ArrayList<>();
        Map<String, Integer> skipped = new LinkedHashMap<>();
        Instant wake = null;
        for (Task t : tasks.values()) {
            Instant slot = nextSlot.get(t.key());
            if (!slot.isAfter(now)) {
                if (running.contains(t.key())) {
                    int n = 0;
                    while (!slot.isAfter(now)) {
                        n++;
                        slot = t.schedule().next(slot);
                    }
                    nextSlot.put(t.key(), slot);
                    skipped.put(t.key(), n);
                    skippedTotal.merge(t.key(), (long) n, Long::sum);
                } else if (t.windows().mayStart(now)) {
                    due.add(t.key());
                    slot = t.schedule().next(now);
                    nextSlot.put(t.key(), slot);
                } else {
                    // Held back by a window: the slot stays, and the opening is when to look again.
                    Optional<Instant> opens = t.windows().nextStart(now);
                    if (opens.isPresent()) {
                        wake = earliest(wake, opens.get());
                    }
                    continue;
                }
            }
            wake = earliest(wake, slot);
            if (running.contains(t.key())) {
                // A running transfer is re-limited exactly where its bandwidth changes.
                Optional<Instant> change = t.windows().nextChange(now);
                if (change.isPresent()) {
                    wake = earliest(wake, change.get());
                }
            }
        }
        return new Decision(due, skipped, Optional.ofNullable(wake));
    }

    /** When the task is next due by its schedule (a window may still hold it back). */
    public Optional<Instant> nextSlot(String key) {
        return Optional.ofNullable(nextSlot.get(key));
    }

    /** Slots skipped since the task was added, because it was still running. */
    public long skippedCount(String key) {
        return skippedTotal.getOrDefault(key, 0L);
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }
}
