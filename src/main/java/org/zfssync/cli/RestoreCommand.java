package org.zfssync.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.zfssync.host.CommandFailedException;
import org.zfssync.host.CommandResult;
import org.zfssync.host.CommandStats;
import org.zfssync.host.HostPool;
import org.zfssync.replication.DatasetResult;
import org.zfssync.replication.Endpoint;
import org.zfssync.replication.RestorePlanner;
import org.zfssync.replication.RestoreRun;
import org.zfssync.replication.TransferSettings;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.TreeState;
import org.zfssync.zfs.Zfs;
import org.zfssync.zfs.ZfsCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zfs-sync restore}: brings a snapshot back from a backup (a sync target), showing the plan first. */
@Command(name = "restore", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = RestoreCommand.ListSnapshots.class,
        description = {"Restores BACKUP@SNAPSHOT (or, with --as-of, the newest snapshot at or before a time) from a "
                + "backup made by zfs-sync sync into DST: by default a NEW dataset (refused if it exists; never "
                + "overwrites), e.g. zfs-sync restore nas:pool/backup/data@SNAP tank/data-restored.",
                "With --in-place, DST is the source dataset itself: rolled back when it still holds the snapshot "
                        + "(same GUID) and nothing newer (--destroy-newer allows zfs rollback -r); otherwise the "
                        + "snapshot is received beside it and the names are swapped, the original kept as "
                        + "DST.zfs-sync-replaced-TIMESTAMP. Either asks first (--yes for scripts).",
                "The plan is printed first; --dry-run prints it with every command and changes nothing. "
                        + "Encrypted datasets come back raw, encrypted with the keys they had.",
                "zfs-sync restore list BACKUP [SOURCE] lists what a backup holds."},
        footer = ExitCodes.HELP)
public final class RestoreCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "BACKUP[@SNAPSHOT]", description = "The backup dataset (pool/fs or "
            + "[user@]host:pool/fs) and the snapshot to restore.")
    String backup;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DST", description = "Where to restore: a new dataset, or with --in-place "
            + "the source dataset to restore.")
    String destination;

    @Option(names = "--as-of", paramLabel = "TIME", description = "Instead of a snapshot name: the newest snapshot "
            + "created at or before TIME (UTC: 2026-11-24T10:00:00Z, 2026-11-24T10:00, or 2026-11-24 for the end of "
            + "that day).")
    String asOf;

    @Option(names = "--in-place", description = "Restore DST itself (see above), after confirmation.")
    boolean inPlace;

    @Option(names = "--destroy-newer", description = "With --in-place: allow zfs rollback -r, destroying DST's "
            + "snapshots newer than the one restored (without it, such a DST is restored by swapping names).")
    boolean destroyNewer;

    @Option(names = {"-y", "--yes"}, description = "Do not ask before a rollback or a swap (for scripts).")
    boolean yes;

    @Option(names = {"-r", "--recursive"}, description = "Restore the dataset and every dataset below it that "
            + "holds the snapshot.")
    boolean recursive;

    @Option(names = {"-n", "--dry-run"}, description = "Print the plan and every command; change nothing.")
    boolean dryRun;

    @CommandLine.Mixin
    SshOptionsMixin ssh = new SshOptionsMixin();

    /** {@code BACKUP@SNAPSHOT} split: an '@' after the host's ':' (or anywhere, locally) starts the snapshot. */
    static String[] split(String text) {
        int colon = text.indexOf(':');
        int at = text.lastIndexOf('@');
        if (at > colon) {
            return new String[] {text.substring(0, at), text.substring(at + 1)};
        }
        return new String[] {text, null};
    }

    static Instant parseTime(String text) {
        String t = text.strip();
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            // Not an instant with a zone: try a UTC date and time, then a date.
        }
        try {
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            // Try a date.
        }
        try {
            return LocalDate.parse(t).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).minusSeconds(1);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid --as-of '" + text + "': use 2026-11-24T10:00:00Z, "
                    + "2026-11-24T10:00 (UTC) or 2026-11-24");
        }
    }

    @Override
    public Integer call() {
        if (backup == null || destination == null) {
            throw new IllegalArgumentException("restore needs BACKUP@SNAPSHOT and DST, e.g. zfs-sync restore "
                    + "nas:pool/backup/data@SNAP tank/data-restored (zfs-sync restore list BACKUP lists the snapshots)");
        }
        String[] parts = split(backup);
        if (parts[1] != null && asOf != null) {
            throw new IllegalArgumentException("give a snapshot name or --as-of, not both");
        }
        if (parts[1] == null && asOf == null) {
            throw new IllegalArgumentException("name the snapshot to restore (BACKUP@SNAPSHOT, see: zfs-sync restore "
                    + "list BACKUP) or give --as-of TIME");
        }
        if (destroyNewer && !inPlace) {
            throw new IllegalArgumentException("--destroy-newer needs --in-place");
        }
        Endpoint from = Endpoint.parse(parts[0]);
        if (parts[1] != null) {
            DatasetName.checkSnapshotName(parts[1]);
        }
        Endpoint to = Endpoint.parse(destination);
        if (from.sshDestination().equals(to.sshDestination()) && from.dataset().equals(to.dataset())) {
            throw new IllegalArgumentException("BACKUP and DST are the same dataset");
        }
        if (inPlace && !yes && !dryRun && System.console() == null) {
            throw new IllegalArgumentException("--in-place asks before it changes " + to + ", and there is no terminal "
                    + "to ask on: pass --yes (or --dry-run to see the plan)");
        }
        RestorePlanner.Request request = new RestorePlanner.Request(from.dataset(), parts[1],
                asOf == null ? null : parseTime(asOf), to.dataset(), recursive, inPlace, destroyNewer);
        PrintWriter out = spec.commandLine().getOut();
        RestoreRun.Outcome outcome;
        try (SignalGuard guard = SignalGuard.install()) {
            outcome = new RestoreRun(ssh.toSshOptions(), TransferSettings.defaults(), Clock.systemUTC(),
                    guard.cancellation(), HostPool.Factory.ssh()).run(from, to, request, dryRun, lines -> {
                        if (dryRun) {
                            out.println("dry run: nothing will be changed; the plan and its commands:");
                        }
                        lines.forEach(out::println);
                        out.flush();
                    }, yes ? null : this::ask);
        } catch (RestorePlanner.RefusedException e) {
            spec.commandLine().getErr().println("zfs-sync: " + e.getMessage());
            return ExitCodes.REFUSED;
        }
        for (DatasetResult d : outcome.results()) {
            out.printf("%-11s %s -> %s%s%s%n", d.status().name().toLowerCase(java.util.Locale.ROOT), d.source(),
                    d.target(), d.bytes() > 0 ? "  " + Bytes.human(d.bytes()) : "",
                    d.message() != null ? "\n            " + d.message() : "");
        }
        if (outcome.message() != null) {
            out.println(outcome.message());
        }
        out.flush();
        if (dryRun || outcome.completed()) {
            return ExitCodes.OK;
        }
        // Not completed: a dataset failed (1), or a person declined the change (4, nothing changed).
        return outcome.results().stream().anyMatch(d -> d.status() == DatasetResult.Status.FAILED
                || d.status() == DatasetResult.Status.SKIPPED || d.status() == DatasetResult.Status.CANCELLED)
                ? ExitCodes.FAILED : ExitCodes.REFUSED;
    }

    private boolean ask(String question) {
        java.io.Console console = System.console();
        String answer = console == null ? null : console.readLine("%s [y/N] ", question);
        return answer != null && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
    }

    /** {@code zfs-sync restore list BACKUP [SOURCE]}: the snapshots a backup holds, and which the source no longer has. */
    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Lists the snapshots BACKUP holds (oldest first) with their creation time (UTC), "
                    + "referenced size and, when SOURCE is given, whether the source still has each one (matched "
                    + "by GUID, whatever its name there): the ones it no longer has exist only in the backup."},
            footer = ExitCodes.HELP)
    static final class ListSnapshots implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "BACKUP", description = "The backup dataset: pool/fs or [user@]host:pool/fs.")
        String backup;

        @Parameters(index = "1", arity = "0..1", paramLabel = "SOURCE", description = "The dataset it is a backup of.")
        String source;

        @Option(names = {"-r", "--recursive"}, description = "Every dataset below BACKUP too.")
        boolean recursive;

        @Option(names = "--json", description = "Print the rows as JSON.")
        boolean json;

        @CommandLine.Mixin
        SshOptionsMixin ssh = new SshOptionsMixin();

        /** {@code restore --ssh-config F list ...}: the options given before {@code list} count too. */
        @CommandLine.ParentCommand
        RestoreCommand parent;

        /** One snapshot of the backup. {@code onSource}: "yes", "no" or "" (no SOURCE given). */
        record Row(String dataset, String snapshot, long guid, Instant created, long referenced, long written,
                   String onSource) {
        }

        @Override
        public Integer call() {
            Endpoint b = Endpoint.parse(backup);
            Endpoint s = source == null ? null : Endpoint.parse(source);
            List<Row> rows = new ArrayList<>();
            SshOptionsMixin options = !ssh.given() && parent != null ? parent.ssh : ssh;
            try (HostPool hosts = HostPool.Factory.ssh().open(options.toSshOptions(), new CommandStats())) {
                CommandResult r = hosts.get(b.sshDestination()).run(ZfsCommands.listSnapshotSizes(b.dataset(), recursive));
                if (!r.ok()) {
                    if (r.stderr().contains("does not exist")) {
                        throw new IllegalArgumentException("backup dataset " + b + " does not exist");
                    }
                    throw new CommandFailedException(r);
                }
                Map<String, Set<Long>> sourceGuids = new LinkedHashMap<>();
                if (s != null) {
                    TreeState tree = new Zfs(hosts.get(s.sshDestination())).list(s.dataset(), recursive);
                    for (DatasetState d : tree.all()) {
                        Set<Long> guids = new HashSet<>();
                        d.snapshots().forEach(x -> guids.add(x.guid()));
                        d.bookmarks().forEach(x -> guids.add(x.guid()));
                        sourceGuids.put(d.name().relativeTo(s.dataset()), guids);
                    }
                }
                for (String line : r.stdout().split("\n")) {
                    String[] f = line.split("\t");
                    if (f.length < 5) {
                        continue;
                    }
                    int at = f[0].indexOf('@');
                    DatasetName dataset = DatasetName.of(f[0].substring(0, at));
                    if (org.zfssync.zfs.AsideNames.isAsideOrInside(dataset, b.dataset())) {
                        continue;
                    }
                    long guid = Long.parseUnsignedLong(f[1]);
                    String on = "";
                    if (s != null) {
                        Set<Long> guids = sourceGuids.get(dataset.relativeTo(b.dataset()));
                        on = guids != null && guids.contains(guid) ? "yes" : "no";
                    }
                    rows.add(new Row(dataset.value(), f[0].substring(at + 1), guid,
                            Instant.ofEpochSecond(Long.parseLong(f[2])), number(f[3]), number(f[4]), on));
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.write(rows));
            } else if (rows.isEmpty()) {
                out.println(b + " holds no snapshots");
            } else {
                List<String[]> table = new ArrayList<>();
                table.add(s == null ? new String[] {"SNAPSHOT", "CREATED (UTC)", "REFERENCED", "WRITTEN"}
                        : new String[] {"SNAPSHOT", "CREATED (UTC)", "REFERENCED", "WRITTEN", "ON SOURCE"});
                for (Row row : rows) {
                    String name = row.dataset() + "@" + row.snapshot();
                    String created = row.created().toString();
                    String[] cells = {name, created, Bytes.human(row.referenced()), Bytes.human(row.written())};
                    table.add(s == null ? cells : new String[] {cells[0], cells[1], cells[2], cells[3],
                            row.onSource().equals("yes") ? "yes" : "no (only in the backup)"});
                }
                Table.print(out, table);
            }
            out.flush();
            return ExitCodes.OK;
        }

        private static long number(String text) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }
}
