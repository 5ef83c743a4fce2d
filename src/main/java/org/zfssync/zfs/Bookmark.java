package org.zfssync.zfs;

/** A bookmark: keeps a snapshot's GUID and createtxg usable as an incremental source after it is gone. */
public record Bookmark(DatasetName dataset, String name, long guid, long createtxg, long creation) {
    public String fullName() {
        return dataset.value() + "#" + name;
    }
}
