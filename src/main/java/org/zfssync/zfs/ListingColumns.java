package org.zfssync.zfs;

import java.util.List;

/** The columns of the one listing zfs-sync reads per side, in order; the parser relies on it. */
public final class ListingColumns {
    public static final List<String> ALL = List.of("name", "type", "guid", "createtxg", "creation", "written",
            "encryption", "receive_resume_token", "userrefs");

    private ListingColumns() {
    }

    public static String joined() {
        return String.join(",", ALL);
    }
}
