package org.zfssync.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.zfssync.event.RunEvents;
import org.zfssync.history.HistoryException;
import org.zfssync.history.HistoryLocation;
import org.zfssync.history.HistoryRecorder;
import org.zfssync.history.HistoryStore;
import picocli.CommandLine.Option;

/** {@code --history-db}: where {@code sync} and {@code run} record runs and {@code history} and {@code status} read them. */
final class HistoryOptions {
    @Option(names = "--history-db", paramLabel = "FILE", description = "The run history database (default: "
            + "/var/lib/zfs-sync/history.db for root; $XDG_STATE_HOME/zfs-sync/history.db, or "
            + "~/.local/state/zfs-sync/history.db, for other users).")
    Path db;

    Path file() {
        return db != null ? db : HistoryLocation.of();
    }

    /** What a query finds in the history; nothing when none was recorded yet (reading creates no file). */
    <T> List<T> read(java.util.function.Function<HistoryStore, List<T>> query) {
        Path file = file();
        if (!Files.exists(file)) {
            return List.of();
        }
        try (HistoryStore store = HistoryStore.open(file)) {
            return query.apply(store);
        }
    }

    /** {@code --no-history} beside {@code --history-db}, for the commands that record. */
    static final class Recording {
        @picocli.CommandLine.Mixin
        HistoryOptions history = new HistoryOptions();

        @Option(names = "--no-history", description = "Do not record this run in the run history (dry runs never "
                + "are).")
        boolean disabled;

        /**
         * The events a real run reports to the history; none for a dry run or with {@code --no-history}.
         * A history that cannot be opened is a warning on {@code err}: the replication runs anyway.
         */
        Recorder open(boolean dryRun, PrintWriter err) {
            return open(dryRun, err, null);
        }

        /**
         * As above, with the config file's {@code history:} section: its path unless
         * {@code --history-db} is given, and its {@code keep}.
         */
        Recorder open(boolean dryRun, PrintWriter err, org.zfssync.job.ServiceConfig.History configured) {
            if (dryRun || disabled) {
                return new Recorder(null, RunEvents.none());
            }
            try {
                java.nio.file.Path file = history.db == null && configured != null && configured.path() != null
                        ? configured.path() : history.file();
                java.time.Duration keep = configured != null && configured.keep() != null ? configured.keep()
                        : HistoryStore.DEFAULT_KEEP;
                HistoryStore store = HistoryStore.open(file);
                return new Recorder(store, RunEvents.of(Clock.systemUTC(), List.of(new HistoryRecorder(store, keep))));
            } catch (HistoryException e) {
                err.println("zfs-sync: warning: this run is not recorded in the history: " + e.getMessage());
                err.flush();
                return new Recorder(null, RunEvents.none());
            }
        }
    }

    /** The events of one command's runs and the history they go to, closed when the command ends. */
    static final class Recorder implements AutoCloseable {
        private final HistoryStore store;
        private final RunEvents events;

        Recorder(HistoryStore store, RunEvents events) {
            this.store = store;
            this.events = events;
        }

        RunEvents events() {
            return events;
        }

        @Override
        public void close() {
            if (store == null) {
                return;
            }
            try {
                store.close();
            } catch (HistoryException e) {
                org.slf4j.LoggerFactory.getLogger(HistoryOptions.class).warn("{}", e.getMessage());
            }
        }
    }
}
