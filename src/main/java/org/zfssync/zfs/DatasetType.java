package org.zfssync.zfs;

/** The kinds of dataset zfs-sync replicates. */
public enum DatasetType {
    FILESYSTEM, VOLUME
}
