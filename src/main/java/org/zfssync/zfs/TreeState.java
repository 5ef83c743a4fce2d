package org.zfssync.zfs;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything one listing saw under a root: datasets by name, parents before children.
 * An absent root gives an empty state.
 */
public record TreeState(DatasetName root, SortedMap<DatasetName, DatasetState> datasets) {
    public TreeState {
        datasets = Collections.unmodifiableSortedMap(new TreeMap<>(datasets));
    }

    public static TreeState absent(DatasetName root) {
        return new TreeState(root, new TreeMap<>());
    }

    public boolean rootExists() {
        return datasets.containsKey(root);
    }

    public DatasetState get(DatasetName name) {
        return datasets.get(name);
    }

    public Collection<DatasetState> all() {
        return datasets.values();
    }

    public Map<DatasetName, DatasetState> asMap() {
        return datasets;
    }
}
