package org.zfssync.web;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The status page: one server-rendered HTML document, readable without JavaScript, refreshing itself every
 * 30 seconds. Every value from the status is escaped. Elements carry stable hooks for tests and scripts:
 * {@code article.job[data-job]}, {@code tr.target[data-target]}, {@code td.rpo[data-level]} (ok, warn,
 * critical, unknown), {@code #running}, {@code #runs} and {@code td.error}.
 */
final class StatusPage {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final String STYLE = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
            header{background:#24292f;color:#fff;padding:12px 24px}
            header h1{margin:0;font-size:20px}
            header p{margin:2px 0 0;color:#d0d7de}
            main{padding:8px 24px 24px;max-width:1400px}
            h2{font-size:17px;margin:22px 0 8px}
            article.job{background:#fff;border:1px solid #d0d7de;border-left:6px solid #8c959f;border-radius:6px;margin:0 0 14px;padding:8px 14px}
            article.job[data-level=ok]{border-left-color:#1a7f37}
            article.job[data-level=warn]{border-left-color:#d4a72c}
            article.job[data-level=critical]{border-left-color:#cf222e}
            article.job h3{margin:2px 0;font-size:16px}
            .meta{color:#59636e;margin:0 0 6px}
            table{border-collapse:collapse;width:100%;background:#fff}
            th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #d8dee4;vertical-align:top}
            th{font-weight:600;color:#59636e;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
            .num{text-align:right;font-variant-numeric:tabular-nums}
            .rpo,.badge{font-weight:600;border-radius:4px}
            .badge{font-size:12px;padding:1px 7px;margin-left:6px;vertical-align:middle}
            .ok{background:#dafbe1;color:#116329}
            .warn{background:#fff8c5;color:#7d4e00}
            .critical{background:#ffebe9;color:#a40e26}
            .unknown{background:#eaeef2;color:#424a53}
            .error{color:#a40e26;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;white-space:pre-wrap;word-break:break-word}
            .none{color:#8c959f}
            code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
            """;

    private StatusPage() {
    }

    static String render(ServiceStatus status) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"30\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .append("<title>zfs-sync status</title><style>").append(STYLE).append("</style></head>\n<body>\n")
                .append("<header><h1>zfs-sync</h1><p>Status at ").append(time(status.now())).append("</p></header>\n<main>\n");
        jobs(h, status);
        running(h, status);
        recentRuns(h, status);
        h.append("</main>\n</body></html>\n");
        return h.toString();
    }

    private static void jobs(StringBuilder h, ServiceStatus status) {
        h.append("<h2>Jobs</h2>\n<section id=\"jobs\">\n");
        if (status.jobs().isEmpty()) {
            h.append("<p class=\"none\">No jobs are configured.</p>\n");
        }
        for (JobStatus job : status.jobs()) {
            String level = job.level(status.now()).id();
            h.append("<article class=\"job\" data-job=\"").append(Html.text(job.name()))
                    .append("\" data-level=\"").append(level).append("\">\n<h3>").append(Html.text(job.name()))
                    .append("<span class=\"badge ").append(level).append("\">").append(level).append("</span></h3>\n")
                    .append("<p class=\"meta\">").append(job.running() ? "running now" : "idle")
                    .append(" · next run ").append(job.nextRun() == null ? "not scheduled" : time(job.nextRun()))
                    .append(" · rpo-warn ").append(Units.duration(job.rpoWarn()))
                    .append(" · rpo-critical ").append(Units.duration(job.rpoCritical())).append("</p>\n")
                    .append("<table class=\"targets\"><thead><tr><th>Target</th><th>Last success</th>"
                            + "<th>Newest snapshot</th><th>RPO</th><th>Failing since</th><th>Last error</th></tr></thead><tbody>\n");
            for (TargetStatus target : job.targets()) {
                RpoLevel rpoLevel = target.level(status.now(), job.rpoWarn(), job.rpoCritical());
                h.append("<tr class=\"target\" data-target=\"").append(Html.text(target.target())).append("\"><td><code>")
                        .append(Html.text(target.target())).append("</code></td><td>")
                        .append(target.lastSuccess() == null ? none("never") : ago(target.lastSuccess(), status.now()))
                        .append("</td><td>")
                        .append(target.newestSnapshot() == null ? none("none")
                                : "<code>" + Html.text(target.newestSnapshot()) + "</code>")
                        .append("</td><td class=\"rpo ").append(rpoLevel.id()).append("\" data-level=\"")
                        .append(rpoLevel.id()).append("\">")
                        .append(target.rpo(status.now()).map(Units::duration).orElse("unknown"))
                        .append("</td><td>")
                        .append(target.failingSince() == null ? none("—") : ago(target.failingSince(), status.now()))
                        .append("</td><td class=\"error\">")
                        .append(target.lastError() == null ? "" : Html.text(target.lastError()))
                        .append("</td></tr>\n");
            }
            h.append("</tbody></table>\n</article>\n");
        }
        h.append("</section>\n");
    }

    private static void running(StringBuilder h, ServiceStatus status) {
        if (!tableOpened(h, "Running", "running", status.running().isEmpty(), "No transfer is running.",
                "<th>Job</th><th>Dataset</th><th>From → to</th><th class=\"num\">Sent</th><th class=\"num\">Done</th>"
                        + "<th class=\"num\">Rate</th><th class=\"num\">ETA</th><th>Started</th>")) {
            return;
        }
        for (RunningTransfer t : status.running()) {
            h.append("<tr class=\"transfer\" data-job=\"").append(Html.text(t.job())).append("\"><td>")
                    .append(Html.text(t.job())).append("</td><td><code>").append(Html.text(t.dataset()))
                    .append("</code></td><td><code>").append(Html.text(String.valueOf(t.source()))).append("</code> → <code>")
                    .append(Html.text(String.valueOf(t.target()))).append("</code></td><td class=\"num\">")
                    .append(Units.bytes(t.bytes()))
                    .append(t.estimate() > 0 ? " of " + Units.bytes(t.estimate()) : "").append("</td><td class=\"num\">")
                    .append(t.fractionDone().map(f -> String.format(Locale.ROOT, "%.0f %%", f * 100)).orElse(""))
                    .append("</td><td class=\"num rate\">").append(Units.rate(t.bytesPerSecond()))
                    .append("</td><td class=\"num eta\">").append(t.eta().map(Units::duration).orElse("unknown"))
                    .append("</td><td>").append(ago(t.started(), status.now())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static void recentRuns(StringBuilder h, ServiceStatus status) {
        if (!tableOpened(h, "Recent runs", "runs", status.recentRuns().isEmpty(), "No runs yet.",
                "<th>Started</th><th>Job</th><th>Target</th><th>Result</th><th class=\"num\">Took</th>"
                        + "<th class=\"num\">Sent</th><th>Error</th>")) {
            return;
        }
        for (RunSummary run : status.recentRuns()) {
            String result = run.result() == null ? "running" : run.result();
            h.append("<tr class=\"run\" data-run=\"").append(run.id()).append("\" data-result=\"")
                    .append(Html.text(result)).append("\"><td>").append(time(run.started())).append("</td><td>")
                    .append(Html.text(run.job())).append("</td><td><code>").append(Html.text(String.valueOf(run.target())))
                    .append("</code></td><td>").append(Html.text(result)).append("</td><td class=\"num\">")
                    .append(run.duration().map(Units::duration).orElse("")).append("</td><td class=\"num\">")
                    .append(Units.bytes(run.bytes())).append("</td><td class=\"error\">")
                    .append(run.error() == null ? "" : Html.text(run.error())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    /**
     * A section's heading and its table up to the first row, the table carrying {@code id}; without rows, a line
     * saying so carries the id instead, and the answer is false.
     */
    private static boolean tableOpened(StringBuilder h, String title, String id, boolean empty, String emptyText,
                                       String headerCells) {
        h.append("<h2>").append(title).append("</h2>\n");
        if (empty) {
            h.append("<p id=\"").append(id).append("\" class=\"none\">").append(emptyText).append("</p>\n");
            return false;
        }
        h.append("<table id=\"").append(id).append("\"><thead><tr>").append(headerCells).append("</tr></thead><tbody>\n");
        return true;
    }

    /** A moment, readable, with its ISO form for machines. */
    private static String time(Instant t) {
        return "<time datetime=\"" + t + "\">" + WHEN.format(t) + "</time>";
    }

    private static String ago(Instant t, Instant now) {
        Duration age = Duration.between(t, now);
        String relative = age.isNegative() ? "in " + Units.duration(age.negated()) : Units.duration(age) + " ago";
        return "<time datetime=\"" + t + "\" title=\"" + WHEN.format(t) + "\">" + relative + "</time>";
    }

    private static String none(String word) {
        return "<span class=\"none\">" + word + "</span>";
    }
}
