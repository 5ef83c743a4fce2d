package org.zfssync.zfs;

import java.util.List;

/** A dataset with its snapshots and bookmarks, each list ordered by createtxg (oldest first). */
public record DatasetState(Dataset dataset, List<Snapshot> snapshots, List<Bookmark> bookmarks) {
    public DatasetState {
        snapshots = List.copyOf(snapshots);
        bookmarks = List.copyOf(bookmarks);
    }

    public DatasetName name() {
        return dataset.name();
    }

    public Snapshot newestSnapshot() {
        return snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
    }
}
