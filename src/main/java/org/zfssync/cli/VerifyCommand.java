package org.zfssync.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zfssync.host.CommandStats;
import org.zfssync.host.Hosts;
import org.zfssync.replication.Endpoint;
import org.zfssync.replication.SnapshotNaming;
import org.zfssync.replication.TargetIds;
import org.zfssync.verify.Hold;
import org.zfssync.verify.Verdict;
import org.zfssync.verify.Verification;
import org.zfssync.verify.VerifyReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zfs-sync verify SRC DST}: is the replica the same as the source? Changes nothing. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compares SRC with its replica DST without changing either: the snapshots both hold "
                + "(matched by GUID), the newest common one, what the target lacks and what it has that the source "
                + "does not, a pending resumable receive, holds and zfs-sync's cursor bookmarks, and the replication "
                + "lag.",
                "With --deep, also the content of each dataset's newest common snapshot, hashed on both hosts at "
                        + "once (a file system's files through .zfs/snapshot, a volume's snapshot device), naming "
                        + "the first differing paths. An unmounted snapshot is mounted read-only for the read; a "
                        + "volume with snapdev=hidden gets snapdev=visible for the read and its setting back after. "
                        + "Encrypted datasets whose key is not loaded are checked by GUID only.",
                "Takes no lock, snapshot or hold."},
        footer = "%nExit codes:%n"
                + "  0  equal: every dataset (and with --deep its content) is the same%n"
                + "  1  different: each difference is listed%n"
                + "  2  usage error%n"
                + "  3  cannot check: a host unreachable, a dataset missing, content unreadable%n")
public final class VerifyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SRC", description = "Source dataset: pool/fs or [user@]host:pool/fs.")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "Target dataset: pool/fs or [user@]host:pool/fs.")
    String target;

    @Option(names = {"-r", "--recursive"}, description = "Verify SRC and every dataset below it.")
    boolean recursive;

    @Option(names = "--deep", description = "Also compare the content of the newest common snapshot, hashed on each "
            + "host (reads all its data on both sides; runs under --command-timeout, raise it for big datasets).")
    boolean deep;

    @Option(names = "--json", description = "Print the report as JSON on stdout.")
    boolean json;

    @Option(names = "--snapshot-prefix", paramLabel = "PREFIX", defaultValue = SnapshotNaming.DEFAULT_PREFIX,
            description = "Prefix of zfs-sync's snapshots, holds and cursors (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--target-id", paramLabel = "ID", description = "The target id the syncs to DST used "
            + "(default: derived from DST, as sync does): names zfs-sync's holds and cursors for this target.")
    String targetId;

    @CommandLine.Mixin
    SshOptionsMixin ssh = new SshOptionsMixin();

    @Override
    public Integer call() {
        Endpoint src = Endpoint.parse(source);
        Endpoint dst = Endpoint.parse(target);
        SnapshotNaming naming = new SnapshotNaming(prefix, targetId != null ? targetId : TargetIds.derive(dst),
                SnapshotNaming.DEFAULT_TEMPLATE);
        VerifyReport report;
        try (Hosts hosts = new Hosts(ssh.toSshOptions(), new CommandStats())) {
            report = new Verification(hosts, naming).run(src, dst, recursive, deep);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            // Whatever stops the reading (a host unreachable, a listing failing, a missing side) means
            // "cannot check" (3), never "different" (1), which sync's mapping of a failure would give.
            spec.commandLine().getErr().println("zfs-sync: cannot verify: "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()));
            spec.commandLine().getErr().flush();
            return VerifyReport.UNCHECKED;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(jsonOf(report)));
        } else {
            lines(report).forEach(out::println);
        }
        out.flush();
        return report.exitCode();
    }

    /** The report with its result and exit code, as --json prints it. */
    static Map<String, Object> jsonOf(VerifyReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", report.source());
        m.put("target", report.target());
        m.put("deep", report.deep());
        m.put("result", report.result());
        m.put("exitCode", report.exitCode());
        m.put("datasets", report.datasets());
        m.put("targetOnly", report.targetOnly());
        return m;
    }

    /** The report as text: one block per dataset, then the result. */
    static List<String> lines(VerifyReport report) {
        List<String> out = new ArrayList<>();
        out.add("verify " + report.source() + " -> " + report.target() + (report.deep() ? " (deep)" : ""));
        for (Verdict v : report.datasets()) {
            out.add("");
            out.add(v.source() + " -> " + v.target() + " (" + v.type() + "): " + v.status().name().toLowerCase(java.util.Locale.ROOT));
            if (v.newestCommon() != null) {
                out.add("  newest common: @" + v.newestCommon().sourceName()
                        + (v.newestCommon().targetName().equals(v.newestCommon().sourceName()) ? ""
                        : " (@" + v.newestCommon().targetName() + " on the target)")
                        + " of " + Instant.ofEpochSecond(v.newestCommon().creation()) + ", guid "
                        + v.newestCommon().guid() + "; " + v.commonSnapshots()
                        + " snapshot(s) in common");
                out.add("  lag: " + Durations.human(Duration.ofSeconds(v.lagSeconds()))
                        + " (newest source snapshot vs newest common)");
            } else {
                out.add("  newest common: none");
            }
            out.add("  target lacks: " + names(v.targetLacks()));
            out.add("  target only: " + names(v.targetExtra()));
            out.add("  resume: " + (v.resume() == null ? "none pending" : v.resume()));
            out.add("  holds: " + (v.holds().isEmpty() ? "none" : String.join(", ", v.holds().stream()
                    .map(VerifyCommand::hold).toList())));
            out.add("  cursors: " + (v.cursors().isEmpty() ? "none" : String.join(", ", v.cursors())));
            if (v.deep() != null) {
                out.add("  content: " + v.deep().checked() + ": " + (v.deep().equal() == null ? "not checked"
                        : v.deep().equal() ? "equal" : "different") + (v.deep().sourceDigest() == null
                        // a check of the snapshots and of the changed target names its digests in checked()
                        || v.deep().checked().contains(";") ? ""
                        : " (sha256 " + abbreviate(v.deep().sourceDigest()) + " / " + abbreviate(v.deep().targetDigest())
                        + ")"));
            }
            v.differences().forEach(d -> out.add("  DIFFERENT: " + d));
            v.notes().forEach(n -> out.add("  note: " + n));
        }
        if (!report.targetOnly().isEmpty()) {
            out.add("");
            out.add("only on the target (the source has no such dataset): " + String.join(", ", report.targetOnly()));
        }
        out.add("");
        out.add("result: " + report.result() + " (" + report.count(Verdict.Status.EQUAL) + " equal, "
                + report.count(Verdict.Status.DIFFERENT) + " different, " + report.count(Verdict.Status.UNCHECKED)
                + " not fully checked, of " + report.datasets().size() + " dataset(s))");
        return out;
    }

    private static String hold(Hold h) {
        return h.snapshot() + " (" + h.tag() + (h.ours() ? ", zfs-sync's" : "") + ")";
    }

    private static String abbreviate(String digest) {
        return digest.length() > 16 ? digest.substring(0, 16) + "…" : digest;
    }

    private static String names(List<String> names) {
        if (names.isEmpty()) {
            return "none";
        }
        List<String> shown = names.size() > 12 ? names.subList(names.size() - 12, names.size()) : names;
        return (names.size() > shown.size() ? (names.size() - shown.size()) + " older, then " : "")
                + String.join(", ", shown.stream().map(n -> "@" + n).toList());
    }
}
