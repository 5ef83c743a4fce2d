package org.zfssync.web;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A daemon's side for tests: a fixed status at a fixed moment (no wall clock), two jobs — {@code home}, whose
 * targets are OK and WARN, and {@code vms}, CRITICAL with an error — a running transfer and three past runs.
 * Triggers are recorded; {@code vms} is already running.
 */
final class FakeService implements StatusSource, JobTrigger {
    static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    static final String VMS_ERROR = "cannot receive incremental stream: destination backup/vms has been modified";

    final List<String> triggered = new CopyOnWriteArrayList<>();
    final List<String> runsQueries = new CopyOnWriteArrayList<>();
    private final ServiceStatus status;

    FakeService() {
        this(standard());
    }

    FakeService(ServiceStatus status) {
        this.status = status;
    }

    static ServiceStatus standard() {
        JobStatus home = new JobStatus("home", List.of(
                new TargetStatus("backup:tank/home", NOW.minusSeconds(600), "zfs-sync_20240501-1150",
                        NOW.minusSeconds(610), null, null),
                new TargetStatus("offsite:pool/home", NOW.minusSeconds(7200), "zfs-sync_20240501-1000",
                        NOW.minus(Duration.ofMinutes(125)), null, null)),
                Duration.ofHours(1), Duration.ofHours(6), NOW.plusSeconds(900), false);
        JobStatus vms = new JobStatus("vms", List.of(
                new TargetStatus("backup:tank/vms", NOW.minus(Duration.ofHours(30)), "zfs-sync_20240430-0600",
                        NOW.minus(Duration.ofHours(30)), NOW.minus(Duration.ofHours(29)), VMS_ERROR)),
                Duration.ofHours(2), Duration.ofHours(12), null, true);
        RunningTransfer transfer = new RunningTransfer("vms", "tank/vms", "backup:tank/vms", "tank/vms/win11",
                3L << 30, 8L << 30, 12.0 * (1 << 20), NOW.minusSeconds(256));
        List<RunSummary> runs = List.of(
                new RunSummary(3, "vms", "tank/vms", "backup:tank/vms", NOW.minusSeconds(3600), NOW.minusSeconds(3590),
                        "failed", 0, VMS_ERROR),
                new RunSummary(2, "home", "tank/home", "backup:tank/home", NOW.minusSeconds(700), NOW.minusSeconds(600),
                        "success", 52_428_800, null),
                new RunSummary(1, "home", "tank/home", "offsite:pool/home", NOW.minusSeconds(7300), NOW.minusSeconds(7200),
                        "success", 1_048_576, null));
        return new ServiceStatus(NOW, List.of(home, vms), List.of(transfer), runs);
    }

    @Override
    public ServiceStatus status() {
        return status;
    }

    @Override
    public List<RunSummary> runs(String jobOrNull, Instant since, int limit) {
        runsQueries.add(jobOrNull + "|" + since + "|" + limit);
        List<RunSummary> out = new ArrayList<>();
        for (RunSummary r : status.recentRuns()) {
            if ((jobOrNull == null || r.job().equals(jobOrNull)) && !r.started().isBefore(since) && out.size() < limit) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public TriggerResult trigger(String job) {
        Set<String> names = Set.copyOf(status.jobs().stream().map(JobStatus::name).toList());
        if (!names.contains(job)) {
            return TriggerResult.UNKNOWN_JOB;
        }
        boolean running = status.jobs().stream().anyMatch(j -> j.name().equals(job) && j.running());
        if (running) {
            return TriggerResult.ALREADY_RUNNING;
        }
        triggered.add(job);
        return TriggerResult.ACCEPTED;
    }
}
