package org.zfssync.zfs;

/**
 * A snapshot. Identity is the GUID (names can change with a rename); order is createtxg.
 *
 * @param creation creation time, seconds since the epoch
 * @param written bytes written between the previous snapshot and this one (0: nothing changed)
 * @param userrefs number of user holds
 */
public record Snapshot(DatasetName dataset, String name, long guid, long createtxg, long creation, long written,
                       int userrefs) {
    public String fullName() {
        return dataset.value() + "@" + name;
    }
}
