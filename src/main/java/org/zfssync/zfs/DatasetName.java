package org.zfssync.zfs;

/** A validated ZFS dataset name such as {@code tank/home/alice}. */
public record DatasetName(String value) implements Comparable<DatasetName> {
    public DatasetName {
        NameRules.checkDataset(value);
    }

    public static DatasetName of(String value) {
        return new DatasetName(value);
    }

    public String pool() {
        int slash = value.indexOf('/');
        return slash < 0 ? value : value.substring(0, slash);
    }

    /** The parent dataset, or null for a pool's root dataset. */
    public DatasetName parent() {
        int slash = value.lastIndexOf('/');
        return slash < 0 ? null : new DatasetName(value.substring(0, slash));
    }

    public int depth() {
        int depth = 0;
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) == '/') {
                depth++;
            }
        }
        return depth;
    }

    /** True for this dataset and every dataset below it. */
    public boolean isSelfOrDescendantOf(DatasetName ancestor) {
        return value.equals(ancestor.value)
                || (value.startsWith(ancestor.value) && value.charAt(ancestor.value.length()) == '/');
    }

    /** The path below {@code ancestor}: "" for the ancestor itself, "a/b" for ancestor/a/b. */
    public String relativeTo(DatasetName ancestor) {
        if (!isSelfOrDescendantOf(ancestor)) {
            throw new IllegalArgumentException(value + " is not below " + ancestor.value);
        }
        return value.length() == ancestor.value.length() ? "" : value.substring(ancestor.value.length() + 1);
    }

    /** This dataset with a relative path appended ("" gives this dataset). */
    public DatasetName resolve(String relative) {
        return relative.isEmpty() ? this : new DatasetName(value + "/" + relative);
    }

    /** {@code dataset@snapshot}, with the snapshot part validated. */
    public String snapshot(String snapshotName) {
        String full = value + "@" + snapshotName;
        NameRules.checkComponent(full, snapshotName, "snapshot");
        if (full.length() > NameRules.MAX_NAME_LENGTH) {
            throw new InvalidNameException("snapshot name '" + full + "' is longer than " + NameRules.MAX_NAME_LENGTH);
        }
        return full;
    }

    /** Validates a snapshot's short name (the part after '@') on its own. */
    public static String checkSnapshotName(String snapshotName) {
        NameRules.checkComponent("@" + snapshotName, snapshotName, "snapshot");
        return snapshotName;
    }

    @Override
    public int compareTo(DatasetName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
