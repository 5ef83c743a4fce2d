package org.zfssync.zfs;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.zfssync.host.Command;

/** Typed builders for every zfs command zfs-sync runs. Names are validated types, never raw strings. */
public final class ZfsCommands {
    /**
     * Linux caps one argument at 128 KiB (MAX_ARG_STRLEN); a comma list of snapshots to destroy is
     * split below that, and each piece still destroys many snapshots in one txg.
     */
    static final int MAX_ARGUMENT = 100_000;
    /** The script of {@link #bookmarkThenDestroy} ({@link ChannelBatch} knows it by this text). */
    static final String BOOKMARK_THEN_DESTROY =
            "zfs bookmark \"$1\" \"$2\" || exit; shift 2; for b do zfs destroy \"$b\" || exit; done";

    private ZfsCommands() {
    }

    public static Command version() {
        return Command.reading("zfs", "version");
    }

    /**
     * {@code zpool sync POOL...}: commits the open transaction group, so space accounting
     * ({@code written}) covers everything written so far. Changes no data; allowed in a dry run.
     */
    public static Command poolSync(List<DatasetName> pools) {
        List<String> argv = new ArrayList<>(List.of("zpool", "sync"));
        for (DatasetName pool : pools) {
            if (pool.parent() != null) {
                throw new IllegalArgumentException("not a pool name: " + pool);
            }
            argv.add(pool.value());
        }
        return Command.reading(argv);
    }

    /** The one listing per side: datasets, snapshots and bookmarks under {@code root}. */
    public static Command list(DatasetName root, boolean recursive) {
        List<String> argv = new ArrayList<>(List.of("zfs", "list", "-H", "-p", "-o", ListingColumns.joined(),
                "-t", "filesystem,volume,snapshot,bookmark"));
        if (recursive) {
            argv.add("-r");
        } else {
            argv.addAll(List.of("-d", "1"));
        }
        argv.add(root.value());
        return Command.reading(argv);
    }

    /** The listing columns of the named snapshots only (the GUIDs of snapshots just taken). */
    public static Command listSnapshots(List<String> snapshots) {
        List<String> argv = new ArrayList<>(List.of("zfs", "list", "-H", "-p", "-o", ListingColumns.joined(),
                "-t", "snapshot"));
        argv.addAll(validSnapshots(snapshots));
        return Command.reading(argv);
    }

    /** One atomic snapshot of many datasets: all in the same txg. */
    public static Command snapshot(List<DatasetName> datasets, String snapshotName) {
        List<String> argv = new ArrayList<>(List.of("zfs", "snapshot"));
        for (DatasetName d : datasets) {
            argv.add(d.snapshot(snapshotName));
        }
        return Command.changing(argv);
    }

    /**
     * {@code zfs hold TAG snap...}: while held, no one (a pruner, a user) can destroy the
     * snapshots a stream is being sent from; all of them in one command.
     */
    public static Command hold(String tag, List<String> snapshots) {
        List<String> argv = new ArrayList<>(List.of("zfs", "hold", tag));
        argv.addAll(validSnapshots(snapshots));
        return Command.changing(argv);
    }

    /** {@code zfs release TAG snap...}: undoes {@link #hold}. */
    public static Command release(String tag, List<String> snapshots) {
        List<String> argv = new ArrayList<>(List.of("zfs", "release", tag));
        argv.addAll(validSnapshots(snapshots));
        return Command.changing(argv);
    }

    /**
     * {@code zfs hold -r TAG fs@snap}: that snapshot of {@code fs} and of every descendant that has
     * one of that name, in one transaction group (a list of snapshots waits for one per snapshot:
     * 4.8 s for 202 in the lab guest, against 0.8 s for 101 this way). All or nothing.
     */
    public static Command holdRecursive(String tag, String snapshot) {
        return Command.changing("zfs", "hold", "-r", tag, validSnapshots(List.of(snapshot)).get(0));
    }

    /** {@code zfs release -r TAG fs@snap}: the tag off that snapshot and every descendant's of that name that has it. */
    public static Command releaseRecursive(String tag, String snapshot) {
        return Command.changing("zfs", "release", "-r", tag, validSnapshots(List.of(snapshot)).get(0));
    }

    /**
     * {@link #hold}, {@link #release} or {@link #holds} of many snapshots, split where one command
     * line would pass the kernel's argument limits (a catch-up of a big tree holds every
     * intermediate of every dataset).
     */
    public static List<Command> inChunks(java.util.function.Function<List<String>, Command> command,
                                         List<String> snapshots) {
        List<Command> commands = new ArrayList<>();
        List<String> chunk = new ArrayList<>();
        int length = 0;
        for (String s : snapshots) {
            if (!chunk.isEmpty() && length + s.length() + 1 > MAX_ARGUMENT) {
                commands.add(command.apply(chunk));
                chunk = new ArrayList<>();
                length = 0;
            }
            chunk.add(s);
            length += s.length() + 1;
        }
        if (!chunk.isEmpty()) {
            commands.add(command.apply(chunk));
        }
        return commands;
    }

    /** {@code zfs holds -H snap...}: every hold on these snapshots, one {@code NAME<TAB>TAG<TAB>TIME} line each. */
    public static Command holds(List<String> snapshots) {
        List<String> argv = new ArrayList<>(List.of("zfs", "holds", "-H"));
        argv.addAll(validSnapshots(snapshots));
        return Command.reading(argv);
    }

    /** The snapshots of {@link #holds} output that carry {@code tag}. */
    public static List<String> parseHolds(String output, String tag) {
        List<String> held = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] fields = line.split("\t");
            if (fields.length >= 2 && fields[1].equals(tag) && fields[0].contains("@")) {
                held.add(fields[0]);
            }
        }
        return held;
    }

    /**
     * {@code zfs bookmark fs@snap fs#name} (or, OpenZFS 2.0+, from a bookmark {@code fs#other}):
     * a replication cursor, which keeps the GUID and holds no data.
     */
    public static Command bookmark(String from, DatasetName dataset, String bookmarkName) {
        int sep = Math.max(from.indexOf('@'), from.indexOf('#'));
        if (sep < 0 || !DatasetName.of(from.substring(0, sep)).equals(dataset)) {
            throw new IllegalArgumentException("not a snapshot or bookmark of " + dataset + ": " + from);
        }
        DatasetName.checkSnapshotName(from.substring(sep + 1));
        DatasetName.checkSnapshotName(bookmarkName);
        return Command.changing("zfs", "bookmark", from, dataset.value() + "#" + bookmarkName);
    }

    /**
     * Makes a bookmark and only if that worked destroys the given older bookmarks of the same
     * dataset: one command ({@code sh -c}, arguments passed as positional parameters, never
     * spliced into the script), so a failed bookmark never leaves the dataset without its cursor.
     */
    public static Command bookmarkThenDestroy(String from, DatasetName dataset, String bookmarkName,
                                              List<String> older) {
        Command make = bookmark(from, dataset, bookmarkName);
        if (older.isEmpty()) {
            return make;
        }
        List<String> argv = new ArrayList<>(List.of("sh", "-c", BOOKMARK_THEN_DESTROY, "zfs-sync-cursor",
                make.argv().get(2), make.argv().get(3)));
        for (String name : older) {
            argv.add(destroyBookmark(dataset, name).argv().get(2));
        }
        return Command.changing(argv);
    }

    /** {@code zfs destroy fs#name}: one bookmark (bookmarks take no comma lists). */
    public static Command destroyBookmark(DatasetName dataset, String bookmarkName) {
        DatasetName.checkSnapshotName(bookmarkName);
        return Command.changing("zfs", "destroy", dataset.value() + "#" + bookmarkName);
    }

    private static List<String> validSnapshots(List<String> snapshots) {
        if (snapshots.isEmpty()) {
            throw new IllegalArgumentException("no snapshots to hold or release");
        }
        for (String s : snapshots) {
            int at = s.indexOf('@');
            if (at < 0) {
                throw new IllegalArgumentException("not a snapshot: " + s);
            }
            DatasetName.of(s.substring(0, at));
            DatasetName.checkSnapshotName(s.substring(at + 1));
        }
        return snapshots;
    }

    /** {@code zfs destroy fs@a,b,c}, split only where one argument would be too long. */
    public static List<Command> destroySnapshots(DatasetName dataset, List<String> snapshotNames) {
        List<Command> commands = new ArrayList<>();
        StringBuilder list = new StringBuilder();
        for (String name : snapshotNames) {
            DatasetName.checkSnapshotName(name);
            if (list.length() > 0 && dataset.value().length() + list.length() + name.length() + 2 > MAX_ARGUMENT) {
                commands.add(Command.changing("zfs", "destroy", dataset.value() + "@" + list));
                list.setLength(0);
            }
            if (list.length() > 0) {
                list.append(',');
            }
            list.append(name);
        }
        if (list.length() > 0) {
            commands.add(Command.changing("zfs", "destroy", dataset.value() + "@" + list));
        }
        return commands;
    }

    /**
     * {@code zfs destroy -n -p -v}: what a {@link #destroySnapshots} command would free, without
     * destroying anything (the dry run of pruning).
     */
    public static Command destroyEstimate(Command destroy) {
        List<String> argv = destroy.argv();
        if (argv.size() != 3 || !argv.get(1).equals("destroy")) {
            throw new IllegalArgumentException("not a snapshot destroy: " + argv);
        }
        return Command.reading("zfs", "destroy", "-n", "-p", "-v", argv.get(2));
    }

    /** The {@code reclaim} line of {@code zfs destroy -npv} output, or -1 if there is none. */
    public static long parseReclaim(String output) {
        return numberAfter("reclaim", output);
    }

    /** Rolls back to a snapshot, destroying later snapshots ({@code -r}): only on the user's flag. */
    public static Command rollback(DatasetName dataset, String snapshotName) {
        return Command.changing("zfs", "rollback", "-r", dataset.snapshot(snapshotName));
    }

    /**
     * {@code zfs rollback SNAP}, with {@code -r} (destroying the later snapshots) only when asked:
     * an in-place restore by rollback.
     */
    public static Command rollback(DatasetName dataset, String snapshotName, boolean destroyLater) {
        return destroyLater ? rollback(dataset, snapshotName)
                : Command.changing("zfs", "rollback", dataset.snapshot(snapshotName));
    }

    /** {@code zfs rename FROM TO} (within one pool; children move along). */
    public static Command rename(DatasetName from, DatasetName to) {
        if (!from.pool().equals(to.pool())) {
            throw new IllegalArgumentException("cannot rename " + from + " to another pool: " + to);
        }
        return Command.changing("zfs", "rename", from.value(), to.value());
    }

    /** {@code zfs set P=V ... DATASET}: several properties in one command, in the map's order. */
    public static Command set(DatasetName dataset, java.util.Map<String, String> properties) {
        List<String> argv = new ArrayList<>(List.of("zfs", "set"));
        properties.forEach((k, v) -> {
            if (!k.matches("[a-z][a-z0-9_:.-]*") || !v.matches("[A-Za-z0-9_:./-]+")) {
                throw new IllegalArgumentException("invalid property " + k + "=" + v);
            }
            argv.add(k + "=" + v);
        });
        argv.add(dataset.value());
        return Command.changing(argv);
    }

    /**
     * {@code zfs destroy -r ASIDE}: an aside copy with everything below it. Only a name that parses
     * exactly as a diverged target's aside name is accepted; anything else is a programming error.
     */
    public static Command destroyAside(DatasetName aside) {
        if (AsideNames.parse(aside).filter(a -> a.kind() == AsideNames.Kind.DIVERGED).isEmpty()) {
            throw new IllegalArgumentException("not an aside copy of a diverged target: " + aside);
        }
        return Command.changing("zfs", "destroy", "-r", aside.value());
    }

    /** The file systems and volumes directly below {@code parent}, by name. */
    public static Command children(DatasetName parent) {
        return Command.reading("zfs", "list", "-H", "-o", "name", "-d", "1", "-t", "filesystem,volume",
                parent.value());
    }

    /** The snapshots of a dataset (or tree) with their sizes: {@code name guid creation referenced written}. */
    public static Command listSnapshotSizes(DatasetName root, boolean recursive) {
        List<String> argv = new ArrayList<>(List.of("zfs", "list", "-H", "-p", "-o",
                "name,guid,creation,referenced,written", "-t", "snapshot", "-s", "createtxg"));
        argv.addAll(recursive ? List.of("-r") : List.of("-d", "1"));
        argv.add(root.value());
        return Command.reading(argv);
    }

    public static Command createWithParents(DatasetName dataset) {
        return Command.changing("zfs", "create", "-p", dataset.value());
    }

    /** {@code zfs allow -u USER PERM,... DATASET}: delegates to a user (local and descendent, zfs's default). */
    public static Command allow(String user, String permissions, DatasetName dataset) {
        return Command.changing("zfs", "allow", "-u", user, permissions, dataset.value());
    }

    /** {@code zfs allow DATASET}: the delegations on a dataset and its ancestors, read-only. */
    public static Command showAllow(DatasetName dataset) {
        return Command.reading("zfs", "allow", dataset.value());
    }

    /**
     * A send stream.
     *
     * @param from         incremental source: a full snapshot ({@code fs@a}) or bookmark ({@code fs#a}) name, or null
     * @param intermediates {@code -I} (every snapshot in between) rather than {@code -i}
     */
    public static Command send(SendFlags flags, String from, boolean intermediates, String snapshot) {
        List<String> argv = new ArrayList<>(List.of("zfs", "send"));
        argv.addAll(flags.argv());
        if (from != null) {
            argv.add(intermediates ? "-I" : "-i");
            argv.add(from);
        }
        argv.add(snapshot);
        return Command.reading(argv);
    }

    /** {@code zfs send -nP ...}: the size of the stream {@link #send} would produce, without sending it. */
    public static Command sendEstimate(SendFlags flags, String from, boolean intermediates, String snapshot) {
        List<String> argv = new ArrayList<>(send(flags, from, intermediates, snapshot).argv());
        argv.addAll(2, List.of("-n", "-P"));
        return Command.reading(argv);
    }

    /** The {@code size} line of {@code zfs send -nP} output, or -1 if there is none. */
    public static long parseEstimate(String output) {
        return numberAfter("size", output);
    }

    /** The number on a {@code KEY<whitespace>NUMBER} line of zfs's parsable dry-run output, or -1. */
    private static long numberAfter(String key, String output) {
        for (String line : output.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length == 2 && fields[0].equals(key)) {
                try {
                    return Long.parseLong(fields[1]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** Resumes an interrupted send; {@code -t} takes no other stream flags. */
    public static Command sendResume(String token) {
        return Command.reading("zfs", "send", "-t", token);
    }

    /** Always {@code -s}: an interrupted receive keeps its progress and can be resumed. */
    public static Command receive(ReceiveFlags flags, DatasetName target) {
        List<String> argv = new ArrayList<>(List.of("zfs", "receive", "-s"));
        if (flags.force()) {
            argv.add("-F");
        }
        if (flags.noMount()) {
            argv.add("-u");
        }
        new TreeMap<>(flags.setProperties()).forEach((k, v) -> argv.addAll(List.of("-o", k + "=" + v)));
        for (String p : flags.excludeProperties()) {
            argv.addAll(List.of("-x", p));
        }
        argv.add(target.value());
        return Command.changing(argv);
    }

    /** One property's raw value ({@code -p}), e.g. a target's receive_resume_token between retries. */
    public static Command getProperty(DatasetName dataset, String property) {
        return Command.reading("zfs", "get", "-H", "-p", "-o", "value", property, dataset.value());
    }

    /** Discards the partial state of an interrupted receive. */
    public static Command receiveAbort(DatasetName target) {
        return Command.changing("zfs", "receive", "-A", target.value());
    }
}
