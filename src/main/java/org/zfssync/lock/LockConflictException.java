package org.zfssync.lock;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

/** Another live run holds this run's job or a target overlapping one of its targets (exit code 5). */
public final class LockConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Holder holder;
    private final transient Overlap overlap;

    LockConflictException(Holder holder, Overlap overlap, Optional<Duration> waited) {
        super(message(holder, overlap, waited));
        this.holder = holder;
        this.overlap = overlap;
    }

    public Holder holder() {
        return holder;
    }

    public Overlap overlap() {
        return overlap;
    }

    /** One line: what is in use, by whom, which of its targets overlaps, and how to wait instead. */
    private static String message(Holder holder, Overlap overlap, Optional<Duration> waited) {
        String what;
        if (overlap instanceof Overlap.SameJob same) {
            what = "job '" + same.job() + "' is already running: " + holder.describe() + " holds its lock";
        } else {
            Overlap.SameTree tree = (Overlap.SameTree) overlap;
            what = "target " + tree.mine() + " is in use: " + holder.describe() + " holds "
                    + (tree.theirs().equals(tree.mine()) ? "it" : tree.theirs() + ", which overlaps it");
        }
        return what + "; not starting a second run on it"
                + waited.map(w -> ", after waiting " + human(w)).orElse(" (--wait waits for it)");
    }

    /** "30m", "1h2m3s"; below a second (tests), "0.4s". */
    private static String human(Duration d) {
        Duration shown = d.truncatedTo(d.compareTo(Duration.ofSeconds(1)) < 0 ? ChronoUnit.MILLIS : ChronoUnit.SECONDS);
        return shown.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
