package org.zfssync.daemon;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.alert.Alert;
import org.zfssync.alert.AlertPolicy;
import org.zfssync.alert.CommandNotifier;
import org.zfssync.alert.MailNotifier;
import org.zfssync.alert.Notifier;
import org.zfssync.alert.WebhookNotifier;
import org.zfssync.event.RunEvent;
import org.zfssync.event.RunListener;
import org.zfssync.job.ServiceConfig;

/**
 * Turns run results and recovery points into alerts, one per change of state and a reminder
 * every {@code repeat-every} (the {@link AlertPolicy} decides), and hands each to every channel
 * of {@code alerts:} on a thread of its own: a slow mail server never delays a replication.
 */
final class Alerting implements RunListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Alerting.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(1);
    private final AlertPolicy policy;
    private final List<Notifier> notifiers;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "zfs-sync alerts");
        t.setDaemon(true);
        return t;
    });
    private final StartedRuns runs = new StartedRuns();

    Alerting(AlertPolicy policy, List<Notifier> notifiers) {
        this.policy = policy;
        this.notifiers = List.copyOf(notifiers);
    }

    /** The channels of {@code alerts:}; none when the config has no {@code alerts:} (alerts are then only logged). */
    static Alerting of(ServiceConfig.Alerts alerts) {
        if (alerts == null) {
            return new Alerting(new AlertPolicy(ServiceConfig.Alerts.DEFAULT_REPEAT), List.of());
        }
        List<Notifier> channels = new ArrayList<>();
        if (alerts.webhook() != null) {
            ServiceConfig.Webhook w = alerts.webhook();
            channels.add(new WebhookNotifier(w.url(), w.retries() != null ? w.retries()
                    : ServiceConfig.Webhook.DEFAULT_RETRIES, w.timeout() != null ? w.timeout()
                    : ServiceConfig.Webhook.DEFAULT_TIMEOUT));
        }
        if (alerts.email() != null) {
            ServiceConfig.Email e = alerts.email();
            channels.add(new MailNotifier(new MailNotifier.Server(e.smtpHost(), e.port() != null ? e.port()
                    : ServiceConfig.Email.DEFAULT_PORT, e.starttls() == null || e.starttls(), e.username(),
                    e.passwordFile(), Duration.ofSeconds(30)), e.from(), e.to()));
        }
        if (alerts.command() != null) {
            channels.add(new CommandNotifier(alerts.command(), COMMAND_TIMEOUT));
        }
        return new Alerting(new AlertPolicy(alerts.repeatEvery() != null ? alerts.repeatEvery()
                : ServiceConfig.Alerts.DEFAULT_REPEAT), channels);
    }

    /**
     * The failures the history knows of at start: their alert went out before the restart, so it
     * is not sent again, but their recovery will be.
     */
    synchronized void seed(List<org.zfssync.history.StatusRow> rows) {
        for (org.zfssync.history.StatusRow row : rows) {
            if (row.job() != null && row.failingSince() != null) {
                policy.runFinished(row.job(), row.target(), row.lastError() != null ? row.lastError() : "failing",
                        row.failingSince());
            }
        }
    }

    @Override
    public synchronized void on(RunEvent event) {
        runs.note(event);
        if (event instanceof RunEvent.RunFinished f) {
            RunEvent.RunStarted s = runs.finish(f.runId()).orElse(null);
            if (s == null || f.result() == RunEvent.Result.CANCELLED) {
                return; // a stop by signal is neither a failure nor a recovery
            }
            String error = f.result() == RunEvent.Result.SUCCESS ? null
                    : f.error() != null ? f.error() : "the run ended " + f.result().name().toLowerCase(java.util.Locale.ROOT);
            policy.runFinished(s.job(), s.target(), error, f.at()).ifPresent(this::send);
        }
    }

    /** A target's recovery point against its job's critical threshold. */
    synchronized void rpo(String job, String target, Duration lag, Duration threshold, Instant now) {
        policy.rpoChecked(job, target, lag, threshold, now).ifPresent(this::send);
    }

    /** Reminders that are due, and forgetting jobs a reload removed. */
    synchronized void tick(Instant now, Map<String, Set<String>> targets) {
        policy.retain(targets);
        policy.remindersAt(now).forEach(this::send);
    }

    synchronized java.util.Optional<Instant> nextReminder() {
        return policy.nextReminder();
    }

    private void send(Alert alert) {
        LOG.warn("alert: {}", alert.summary());
        for (Notifier n : notifiers) {
            sender.execute(() -> {
                try {
                    n.send(alert);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    LOG.error("alert not delivered by {}: {}", n.getClass().getSimpleName(), e.getMessage());
                }
            });
        }
    }

    /** Lets alerts already handed over finish (a recovery sent just before a stop), for a few seconds at most. */
    @Override
    public void close() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(15, TimeUnit.SECONDS)) {
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
