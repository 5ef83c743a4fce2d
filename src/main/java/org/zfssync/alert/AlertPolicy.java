package org.zfssync.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides which alerts to send, per (job, target): one on each change of state, then a reminder
 * every {@code repeat-every} while a bad state lasts, and nothing otherwise. Pure: it is told what
 * happened and when, and answers with alerts; sending them is a {@link Notifier}'s job.
 *
 * <p>States: {@link State#OK}, {@link State#FAILING} (the last run failed) and
 * {@link State#RPO_OVER} (runs succeed, but the newest replicated snapshot is older than the
 * threshold). A failure outranks a breached RPO: while failing, RPO news says nothing new, and a
 * success leaves FAILING for RPO_OVER when the RPO is still breached, else for OK.
 */
public final class AlertPolicy {
    public enum State { OK, FAILING, RPO_OVER }

    private record Key(String job, String target) {
    }

    private static final class Track {
        State state = State.OK;
        boolean rpoOver;
        String failure = "";
        String rpo = "";
        Instant since;
        Instant lastSent;
    }

    private final Duration repeatEvery;
    private final Map<Key, Track> tracks = new LinkedHashMap<>();

    public AlertPolicy(Duration repeatEvery) {
        if (repeatEvery.isNegative() || repeatEvery.isZero()) {
            throw new IllegalArgumentException("repeat-every must be positive");
        }
        this.repeatEvery = repeatEvery;
    }

    /** A run of {@code job} to {@code target} ended; {@code error} is null when it succeeded. */
    public Optional<Alert> runFinished(String job, String target, String error, Instant at) {
        Track t = track(job, target);
        if (error != null) {
            t.failure = error;
            return moveTo(t, job, target, State.FAILING, at, Alert.Kind.FAILURE, "failed: " + error);
        }
        if (t.state != State.FAILING) {
            return Optional.empty();
        }
        String message = "succeeded again after failing since " + t.since;
        if (t.rpoOver) {
            return moveTo(t, job, target, State.RPO_OVER, at, Alert.Kind.RECOVERY,
                    message + "; still behind its RPO (" + t.rpo + ")");
        }
        return moveTo(t, job, target, State.OK, at, Alert.Kind.RECOVERY, message);
    }

    /**
     * The target's replication lag was measured against its threshold ({@code rpo-warn} or
     * {@code rpo-critical}, the caller's choice).
     */
    public Optional<Alert> rpoChecked(String job, String target, Duration lag, Duration threshold, Instant at) {
        Track t = track(job, target);
        boolean over = lag.compareTo(threshold) > 0;
        t.rpoOver = over;
        if (over) {
            t.rpo = "newest replicated snapshot is " + format(lag) + " old, over " + format(threshold);
        }
        if (t.state == State.FAILING) {
            return Optional.empty();
        }
        if (over) {
            return moveTo(t, job, target, State.RPO_OVER, at, Alert.Kind.RPO_OVER, t.rpo);
        }
        return moveTo(t, job, target, State.OK, at, Alert.Kind.RPO_OK, "within its RPO again (" + format(lag) + " behind, "
                + "threshold " + format(threshold) + ")");
    }

    /** Reminders due at {@code now}: one per bad state last reported {@code repeat-every} ago or more. */
    public List<Alert> remindersAt(Instant now) {
        List<Alert> out = new ArrayList<>();
        tracks.forEach((key, t) -> {
            if (t.state != State.OK && !now.isBefore(t.lastSent.plus(repeatEvery))) {
                t.lastSent = now;
                String what = t.state == State.FAILING ? "still failing since " + t.since + ": " + t.failure
                        : "still behind its RPO since " + t.since + ": " + t.rpo;
                out.add(new Alert(Alert.Kind.REMINDER, key.job(), key.target(), what, now));
            }
        });
        return out;
    }

    /** When the next reminder falls due, if any state is bad: when the daemon should wake for it. */
    public Optional<Instant> nextReminder() {
        return tracks.values().stream().filter(t -> t.state != State.OK).map(t -> t.lastSent.plus(repeatEvery))
                .min(Instant::compareTo);
    }

    public State state(String job, String target) {
        Track t = tracks.get(new Key(job, target));
        return t == null ? State.OK : t.state;
    }

    /**
     * Forgets (job, target) pairs that left the config, so they neither remind nor linger.
     *
     * @param targets each job's targets as the alerts name them
     */
    public void retain(java.util.Map<String, java.util.Set<String>> targets) {
        tracks.keySet().removeIf(k -> !targets.getOrDefault(k.job(), java.util.Set.of()).contains(k.target()));
    }

    private Optional<Alert> moveTo(Track t, String job, String target, State next, Instant at, Alert.Kind kind,
                                   String message) {
        if (t.state == next) {
            return Optional.empty();
        }
        t.state = next;
        t.since = at;
        t.lastSent = at;
        return Optional.of(new Alert(kind, job, target, message, at));
    }

    private Track track(String job, String target) {
        return tracks.computeIfAbsent(new Key(Objects.requireNonNull(job), target), k -> new Track());
    }

    private static String format(Duration d) {
        long m = d.toMinutes();
        return m >= 120 ? m / 60 + "h " + m % 60 + "m" : m + "m";
    }
}
