package org.zfssync.daemon;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.event.RunEvents;
import org.zfssync.event.RunListener;
import org.zfssync.history.HistoryException;
import org.zfssync.history.HistoryLocation;
import org.zfssync.history.HistoryRecorder;
import org.zfssync.history.HistoryStore;
import org.zfssync.host.HostPool;
import org.zfssync.job.Config;
import org.zfssync.job.ServiceConfig;
import org.zfssync.replication.Cancellation;
import org.zfssync.web.HttpSettings;
import org.zfssync.web.ServiceMetrics;
import org.zfssync.web.StatusServer;

/**
 * The daemon with everything around it, put together once: the run history, the status book,
 * the alerts, the metrics and, when the config has {@code http:}, the status page and API. Each
 * listens to the job runs' events; none of them is known to the runs themselves.
 */
public final class Service implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Service.class);

    /**
     * @param historyDb overrides the config's {@code history: path}; null for it (or the default)
     * @param noHistory record nothing (read-only setups, tests)
     */
    public record Options(Path historyDb, boolean noHistory, Path lockDir, Clock clock, HostPool.Factory hostPools) {
    }

    private final Daemon daemon;
    private final HistoryStore history;
    private final Alerting alerting;
    private final StatusServer server;

    private Service(Daemon daemon, HistoryStore history, Alerting alerting, StatusServer server) {
        this.daemon = daemon;
        this.history = history;
        this.alerting = alerting;
        this.server = server;
    }

    public static Service start(Config config, Options options, Cancellation cancellation) {
        ServiceConfig service = config.service();
        HistoryStore history = options.noHistory() ? null : openHistory(options.historyDb() != null
                ? options.historyDb() : service.history() != null && service.history().path() != null
                ? service.history().path() : HistoryLocation.of());
        Duration keep = service.history() != null && service.history().keep() != null ? service.history().keep()
                : HistoryStore.DEFAULT_KEEP;
        TargetBook book = new TargetBook();
        List<org.zfssync.history.StatusRow> rows = List.of();
        if (history != null) {
            try {
                rows = history.status();
            } catch (HistoryException e) {
                LOG.warn("daemon: the run history could not be read ({}); statuses start empty", e.getMessage());
            }
        }
        // Where each target stood when the daemon last stopped: statuses, alert states, last starts.
        book.seed(rows);
        Alerting alerting = Alerting.of(service.alerts());
        alerting.seed(rows);
        // The metrics read the status at each scrape, and the status needs the daemon: tied by a reference.
        AtomicReference<DaemonStatus> status = new AtomicReference<>();
        ServiceMetrics metrics = new ServiceMetrics(new LateStatus(status));
        List<RunListener> listeners = new ArrayList<>();
        if (history != null) {
            listeners.add(new HistoryRecorder(history, keep));
        }
        listeners.add(book);
        listeners.add(new Metrics(metrics));
        listeners.add(alerting);
        java.util.Map<String, java.time.Instant> starts = new java.util.HashMap<>(lastStarts(rows));
        if (history != null) {
            try {
                history.lastVerifications().forEach((job, at) -> starts.put(Daemon.Step.VERIFY.key(job), at));
            } catch (HistoryException e) {
                LOG.warn("daemon: the last verifies could not be read ({}); verify-every counts from now", e.getMessage());
            }
        }
        Daemon daemon = new Daemon(config, options.lockDir(), options.clock(), cancellation, options.hostPools(),
                RunEvents.of(options.clock(), listeners), book, alerting, metrics::runSkipped, starts);
        status.set(new DaemonStatus(daemon, book, history, options.clock()));
        StatusServer server = null;
        if (service.http() != null) {
            ServiceConfig.Http http = service.http();
            server = StatusServer.start(HttpSettings.of(http.listen(), http.tokenFile() == null ? null
                    : http.tokenFile().toString()), status.get(), status.get(), metrics);
        }
        return new Service(daemon, history, alerting, server);
    }

    /**
     * When each job last started a run that ended, from the history: the latest over its targets,
     * none when any target's latest run was cancelled or never ended (that job runs at once and
     * resumes its stream).
     */
    static java.util.Map<String, java.time.Instant> lastStarts(List<org.zfssync.history.StatusRow> rows) {
        java.util.Map<String, java.time.Instant> starts = new java.util.HashMap<>();
        java.util.Set<String> cut = new java.util.HashSet<>();
        for (org.zfssync.history.StatusRow row : rows) {
            if (row.job() == null) {
                continue;
            }
            if (row.lastResult() == null || row.lastResult().equals("CANCELLED")) {
                cut.add(row.job());
            } else if (row.lastRun() != null) {
                starts.merge(row.job(), row.lastRun(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        starts.keySet().removeAll(cut);
        return starts;
    }

    private static HistoryStore openHistory(Path file) {
        try {
            return HistoryStore.open(file);
        } catch (HistoryException e) {
            LOG.warn("daemon: runs are not recorded, the run history {} cannot be opened: {}", file, e.getMessage());
            return null;
        }
    }

    /** Runs the jobs until the cancellation comes. */
    public void run() {
        daemon.run();
    }

    /** Re-reads the config file; a broken one is rejected and logged. */
    public void reload() {
        daemon.reload();
    }

    public Optional<URI> uri() {
        return Optional.ofNullable(server).map(StatusServer::uri);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        alerting.close();
        if (history != null) {
            history.close();
        }
    }

    /** The daemon's status, once it exists (a scrape before that sees an empty service). */
    private record LateStatus(AtomicReference<DaemonStatus> ref) implements org.zfssync.web.StatusSource {
        @Override
        public org.zfssync.web.ServiceStatus status() {
            DaemonStatus s = ref.get();
            return s != null ? s.status() : new org.zfssync.web.ServiceStatus(java.time.Instant.now(), List.of(),
                    List.of(), List.of());
        }

        @Override
        public List<org.zfssync.web.RunSummary> runs(String job, java.time.Instant since, int limit) {
            DaemonStatus s = ref.get();
            return s != null ? s.runs(job, since, limit) : List.of();
        }
    }
}
