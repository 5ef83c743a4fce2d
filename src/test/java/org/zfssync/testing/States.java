package org.zfssync.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.zfssync.zfs.Bookmark;
import org.zfssync.zfs.Dataset;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.DatasetType;
import org.zfssync.zfs.Snapshot;
import org.zfssync.zfs.TreeState;

/** Builds side states for planner tests: {@code States.under("tank/a").fs("tank/a").snap("tank/a", "s1", 1)}. */
public final class States {
    private final DatasetName root;
    private final Map<String, Dataset> datasets = new LinkedHashMap<>();
    private final Map<String, List<Snapshot>> snapshots = new LinkedHashMap<>();
    private final Map<String, List<Bookmark>> bookmarks = new LinkedHashMap<>();
    private long txg = 100;

    private States(String root) {
        this.root = DatasetName.of(root);
    }

    public static States under(String root) {
        return new States(root);
    }

    public States fs(String name) {
        return fs(name, 0, false);
    }

    public States fs(String name, long written, boolean encrypted) {
        return dataset(name, written, encrypted, Optional.empty());
    }

    public States dataset(String name, long written, boolean encrypted, Optional<String> token) {
        datasets.put(name, new Dataset(DatasetName.of(name), DatasetType.FILESYSTEM, name.hashCode(), 1, written,
                encrypted, token));
        snapshots.putIfAbsent(name, new ArrayList<>());
        bookmarks.putIfAbsent(name, new ArrayList<>());
        return this;
    }

    /** A volume with nothing written since its newest snapshot. */
    public States vol(String name) {
        datasets.put(name, new Dataset(DatasetName.of(name), DatasetType.VOLUME, name.hashCode(), 1, 0, false,
                Optional.empty()));
        snapshots.putIfAbsent(name, new ArrayList<>());
        bookmarks.putIfAbsent(name, new ArrayList<>());
        return this;
    }

    /** A snapshot with the given GUID, newer (higher createtxg) than every one added before. */
    public States snap(String dataset, String name, long guid) {
        return snap(dataset, name, guid, 0);
    }

    public States snap(String dataset, String name, long guid, int holds) {
        return snap(dataset, name, guid, holds, 4096);
    }

    /** A snapshot with {@code written} bytes changed since the one before it (0: an empty snapshot). */
    public States snap(String dataset, String name, long guid, int holds, long written) {
        txg += 10;
        snapshots.get(dataset).add(new Snapshot(DatasetName.of(dataset), name, guid, txg, 1_700_000_000L + txg, written,
                holds));
        return this;
    }

    public States bookmark(String dataset, String name, long guid) {
        txg += 10;
        bookmarks.get(dataset).add(new Bookmark(DatasetName.of(dataset), name, guid, txg, 1_700_000_000L + txg));
        return this;
    }

    public TreeState build() {
        TreeMap<DatasetName, DatasetState> map = new TreeMap<>();
        datasets.forEach((name, d) -> map.put(d.name(), new DatasetState(d, snapshots.get(name), bookmarks.get(name))));
        return new TreeState(root, map);
    }
}
