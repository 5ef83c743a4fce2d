package org.zfssync.zfs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.zfssync.host.Command;

/**
 * What {@code zfs-sync list} shows: every filesystem and volume (all levels, not only the first)
 * with its space, snapshot count and newest snapshot, from one {@code zfs list} per host.
 */
public final class Inventory {
    private Inventory() {
    }

    /** One dataset's line. {@code newestSnapshot} is null, and {@code newestCreation} 0, without snapshots. */
    public record Row(String name, String type, long used, long referenced, int snapshots, String newestSnapshot,
            long newestCreation) {
    }

    public static Command command(DatasetName root) {
        List<String> argv = new ArrayList<>(List.of("zfs", "list", "-H", "-p", "-o",
                "name,type,used,referenced,creation,createtxg", "-t", "filesystem,volume,snapshot"));
        if (root != null) {
            argv.addAll(List.of("-r", root.value()));
        }
        return Command.reading(argv);
    }

    /** Parses the output of {@link #command}; snapshots are matched to their dataset and the newest kept by createtxg. */
    public static List<Row> parse(String output) {
        Map<String, long[]> newestTxg = new LinkedHashMap<>();
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 6) {
                throw new IllegalArgumentException("unexpected zfs list line: " + line);
            }
            if (f[1].equals("snapshot")) {
                int at = f[0].indexOf('@');
                String dataset = f[0].substring(0, at);
                Row r = rows.get(dataset);
                if (r == null) {
                    continue;
                }
                long txg = Long.parseLong(f[5]);
                long[] best = newestTxg.computeIfAbsent(dataset, k -> new long[] {-1});
                boolean newer = txg > best[0];
                if (newer) {
                    best[0] = txg;
                }
                rows.put(dataset, new Row(r.name(), r.type(), r.used(), r.referenced(), r.snapshots() + 1,
                        newer ? f[0].substring(at + 1) : r.newestSnapshot(),
                        newer ? Long.parseLong(f[4]) : r.newestCreation()));
            } else {
                rows.put(f[0], new Row(f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), 0, null, 0));
            }
        }
        return new ArrayList<>(rows.values());
    }
}
