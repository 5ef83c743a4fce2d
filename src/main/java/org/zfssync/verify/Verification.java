package org.zfssync.verify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.zfssync.host.Command;
import org.zfssync.host.CommandFailedException;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.host.HostPool;
import org.zfssync.replication.Endpoint;
import org.zfssync.replication.Glob;
import org.zfssync.replication.SnapshotNaming;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.Snapshot;
import org.zfssync.zfs.TreeState;
import org.zfssync.zfs.Zfs;
import org.zfssync.zfs.ZfsCommands;

/**
 * One verify: reads each side (one listing, the holds on held snapshots, and for a content check
 * a few properties), compares them ({@link Comparison}) and, with {@code deep}, checks the content
 * of each dataset's newest common snapshot ({@link DeepCheck}). Takes no lock, snapshot or hold:
 * a sync may run meanwhile, and what verify reports is what both listings said when it read them.
 */
public final class Verification {
    /** Something makes the check impossible (a side's root missing); the message says what. */
    public static final class CannotCheckException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CannotCheckException(String message) {
            super(message);
        }
    }

    private final HostPool hosts;
    private final SnapshotNaming naming;
    private final List<Glob> includes;
    private final List<Glob> excludes;

    public Verification(HostPool hosts, SnapshotNaming naming) {
        this(hosts, naming, List.of(), List.of());
    }

    /** @param includes, excludes which datasets of a tree are replicated (a job's include and exclude) */
    public Verification(HostPool hosts, SnapshotNaming naming, List<Glob> includes, List<Glob> excludes) {
        this.hosts = hosts;
        this.naming = naming;
        this.includes = List.copyOf(includes);
        this.excludes = List.copyOf(excludes);
    }

    public VerifyReport run(Endpoint source, Endpoint target, boolean recursive, boolean deep) {
        Host sourceHost = hosts.get(source.sshDestination());
        Host targetHost = hosts.get(target.sshDestination());
        TreeState sourceState = new Zfs(sourceHost).list(source.dataset(), recursive);
        TreeState targetState = new Zfs(targetHost).list(target.dataset(), recursive);
        if (!sourceState.rootExists()) {
            throw new CannotCheckException("the source " + source + " does not exist");
        }
        if (!targetState.rootExists()) {
            throw new CannotCheckException("the target " + target + " does not exist (never replicated?)");
        }
        Map<String, List<String>> holds = new HashMap<>(holds(sourceHost, sourceState));
        holds.putAll(holds(targetHost, targetState));
        VerifyReport report = new Comparison(naming, includes, excludes).compare(source.toString(), target.toString(), sourceState,
                targetState, recursive, holds);
        if (!deep) {
            return report;
        }
        SideInfo sourceInfo = info(sourceHost, source.dataset(), recursive);
        SideInfo targetInfo = info(targetHost, target.dataset(), recursive);
        List<Verdict> checked = new ArrayList<>();
        try (DeepCheck check = new DeepCheck(sourceHost, targetHost)) {
            for (Verdict v : report.datasets()) {
                DatasetState t = targetState.get(DatasetName.of(v.target()));
                if (t == null) {
                    checked.add(v);
                    continue;
                }
                checked.add(v.withDeep(check.check(v, sourceInfo, targetInfo, t.dataset().written())));
            }
        }
        return new VerifyReport(report.source(), report.target(), true, checked, report.targetOnly());
    }

    /** Every hold on the snapshots the listing shows held ({@code userrefs} > 0), by snapshot. */
    private static Map<String, List<String>> holds(Host host, TreeState state) {
        List<String> held = new ArrayList<>();
        for (DatasetState d : state.all()) {
            for (Snapshot s : d.snapshots()) {
                if (s.userrefs() > 0) {
                    held.add(s.fullName());
                }
            }
        }
        Map<String, List<String>> tags = new HashMap<>();
        if (held.isEmpty()) {
            return tags;
        }
        for (Command c : ZfsCommands.inChunks(ZfsCommands::holds, held)) {
            CommandResult r = host.run(c);
            if (!r.ok()) {
                throw new CommandFailedException(r);
            }
            for (String line : r.stdout().split("\n")) {
                String[] f = line.split("\t");
                if (f.length >= 2) {
                    tags.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[1]);
                }
            }
        }
        return tags;
    }

    private static SideInfo info(Host host, DatasetName root, boolean recursive) {
        List<String> argv = new ArrayList<>(List.of("zfs", "get", "-H", "-p", "-o", "name,property,value,source",
                "-t", "filesystem,volume"));
        argv.addAll(recursive ? List.of("-r") : List.of("-d", "0"));
        argv.addAll(List.of(SideInfo.PROPERTIES, root.value()));
        CommandResult r = host.run(Command.reading(argv));
        if (!r.ok()) {
            throw new CommandFailedException(r);
        }
        return SideInfo.parse(r.stdout());
    }
}
