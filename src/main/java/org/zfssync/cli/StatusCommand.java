package org.zfssync.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zfssync.history.HistoryStore;
import org.zfssync.history.StatusRow;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code zfs-sync status}: where each job (or synced source) stands with each target, from the run history. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false, footer = ExitCodes.HELP,
        description = {"Show, per job (or source, for sync) and target, from the run history: the last success, the "
                + "newest snapshot the target holds and its age (the recovery point), since when it has been failing, "
                + "the last error, and the next scheduled run."})
final class StatusCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print the status as JSON on stdout.")
    boolean json;

    @CommandLine.Mixin
    HistoryOptions history = new HistoryOptions();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<StatusRow> rows = history.read(HistoryStore::status);
        Instant now = Instant.now();
        if (json) {
            out.println(Json.write(rows.stream().map(r -> toMap(r, now)).toList()));
        } else if (rows.isEmpty()) {
            out.println("no runs recorded (history: " + history.file() + ")");
        } else {
            print(out, rows, now);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void print(PrintWriter out, List<StatusRow> rows, Instant now) {
        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"RUN", "LAST SUCCESS", "NEWEST SNAPSHOT", "AGE", "FAILING SINCE", "NEXT RUN",
            "LAST ERROR"});
        for (StatusRow r : rows) {
            table.add(new String[] {HistoryCommand.label(r.job(), r.source(), r.target()), when(r.lastSuccess()),
                r.newestSnapshot() == null ? "-" : r.newestSnapshot(),
                r.rpo(now).map(Durations::human).orElse("-"), when(r.failingSince()),
                // The daemon's schedule fills it; without one there is no next run to show.
                "-", r.lastError() == null ? "" : r.lastError()});
        }
        Table.print(out, table);
    }

    private static String when(Instant t) {
        return t == null ? "-" : HistoryCommand.WHEN.format(t);
    }

    private static Map<String, Object> toMap(StatusRow r, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", r.job());
        m.put("source", r.source());
        m.put("target", r.target());
        m.put("lastRun", Json.time(r.lastRun()));
        m.put("lastResult", r.lastResult() == null ? null : r.lastResult().toLowerCase(Locale.ROOT));
        m.put("lastSuccess", Json.time(r.lastSuccess()));
        m.put("newestSnapshot", r.newestSnapshot());
        m.put("newestCreation", Json.time(r.newestCreation()));
        m.put("rpoSeconds", r.rpo(now).map(Duration::getSeconds).orElse(null));
        m.put("failingSince", Json.time(r.failingSince()));
        m.put("lastError", r.lastError());
        m.put("nextRun", null);
        return m;
    }
}
