package org.zfssync.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zfssync.history.DatasetRecord;
import org.zfssync.history.HistoryStore;
import org.zfssync.history.RunRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zfs-sync history}: the recorded runs, newest first. */
@Command(name = "history", mixinStandardHelpOptions = true, sortOptions = false, footer = ExitCodes.HELP,
        description = {"Show the recorded runs of sync and run, newest first: when, what, the result, what was sent, "
                + "how long it took and the error. Dry runs are not recorded."})
final class HistoryCommand implements Callable<Integer> {
    /** Local time to the minute: what a person compares with their clock. */
    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB", description = "Only this job's runs.")
    String job;

    @Option(names = "--since", paramLabel = "DURATION", converter = Durations.SinceConverter.class,
            description = "Only runs started within this span before now, as 90m, 36h or 7d.")
    Duration since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
            description = "At most N runs (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print the runs, with their datasets, as JSON on stdout.")
    boolean json;

    @Option(names = "--verifies", description = "Show the recorded verifies (a job's verify-every) instead of the "
            + "runs: when, what, the result (equal, different, unchecked) and the differences.")
    boolean verifies;

    @CommandLine.Mixin
    HistoryOptions history = new HistoryOptions();

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new IllegalArgumentException("--limit must be at least 1, not " + limit);
        }
        PrintWriter out = spec.commandLine().getOut();
        Instant from = since == null ? null : Instant.now().minus(since);
        if (verifies) {
            List<HistoryStore.Verification> found = history.read(store -> store.verifications(job, limit)).stream()
                    .filter(v -> from == null || !v.started().isBefore(from)).toList();
            if (json) {
                out.println(Json.write(found));
            } else if (found.isEmpty()) {
                out.println("no verifies recorded" + (job == null ? "" : " for job " + job) + " (history: "
                        + history.file() + ")");
            } else {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"STARTED", "VERIFY", "RESULT", "TOOK", "DIFFERENCES"});
                for (HistoryStore.Verification v : found) {
                    rows.add(new String[] {WHEN.format(v.started()), label(v.job(), v.source(), v.target()), v.result(),
                        Durations.human(Duration.between(v.started(), v.ended())),
                        v.summary() == null ? "" : v.summary().replace("\n", "; ")});
                }
                Table.print(out, rows);
            }
            out.flush();
            return ExitCodes.OK;
        }
        List<RunRecord> runs = history.read(store -> store.runs(job, from, limit));
        if (json) {
            out.println(Json.write(runs.stream().map(HistoryCommand::toMap).toList()));
        } else if (runs.isEmpty()) {
            out.println("no runs recorded" + (job == null ? "" : " for job " + job) + (since == null ? ""
                    : " in the last " + Durations.human(since)) + " (history: " + history.file() + ")");
        } else {
            print(out, runs);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void print(PrintWriter out, List<RunRecord> runs) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"STARTED", "RUN", "RESULT", "SENT", "TOOK", "ERROR"});
        for (RunRecord r : runs) {
            rows.add(new String[] {WHEN.format(r.started()), label(r.job(), r.source(), r.target()),
                r.result() == null ? "unfinished" : r.result().toLowerCase(Locale.ROOT), Bytes.human(r.bytes()),
                r.duration().map(Durations::human).orElse("-"), r.error() == null ? "" : r.error()});
        }
        Table.print(out, rows);
    }

    /** {@code job: src -> dst}, or {@code src -> dst} for a sync. */
    static String label(String job, String source, String target) {
        return (job == null ? "" : job + ": ") + source + " -> " + target;
    }

    private static Map<String, Object> toMap(RunRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("kind", r.kind().toLowerCase(Locale.ROOT));
        m.put("job", r.job());
        m.put("source", r.source());
        m.put("target", r.target());
        m.put("started", Json.time(r.started()));
        m.put("ended", Json.time(r.ended()));
        m.put("result", r.result() == null ? null : r.result().toLowerCase(Locale.ROOT));
        m.put("exitCode", r.exitCode());
        m.put("bytes", r.bytes());
        m.put("durationMs", r.duration().map(Duration::toMillis).orElse(null));
        m.put("error", r.error());
        List<Map<String, Object>> datasets = new ArrayList<>();
        for (DatasetRecord d : r.datasets()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("source", d.source());
            dm.put("target", d.target());
            dm.put("status", d.status().toLowerCase(Locale.ROOT));
            dm.put("from", d.from());
            dm.put("to", d.to());
            dm.put("bytes", d.bytes());
            dm.put("durationMs", d.duration().toMillis());
            dm.put("retries", d.retries());
            dm.put("message", d.message());
            dm.put("newestSnapshot", d.newestSnapshot());
            dm.put("newestCreation", Json.time(d.newestCreation()));
            datasets.add(dm);
        }
        m.put("datasets", datasets);
        return m;
    }
}
