package org.zfssync.verify;

import java.util.HashMap;
import java.util.Map;

/**
 * Pure: the properties the content check needs of each dataset on one side, from one
 * {@code zfs get -H -p -o name,property,value,source} of the tree.
 */
public final class SideInfo {
    /** A property's value and where it comes from (local, default, received, inherited from …). */
    public record Value(String value, String source) {
    }

    public static final String PROPERTIES = "mounted,mountpoint,keystatus,snapdev";

    private final Map<String, Map<String, Value>> byDataset;

    private SideInfo(Map<String, Map<String, Value>> byDataset) {
        this.byDataset = byDataset;
    }

    public static SideInfo parse(String output) {
        Map<String, Map<String, Value>> map = new HashMap<>();
        for (String line : output.split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length >= 4) {
                map.computeIfAbsent(f[0], k -> new HashMap<>()).put(f[1], new Value(f[2], f[3]));
            }
        }
        return new SideInfo(map);
    }

    public Value get(String dataset, String property) {
        return byDataset.getOrDefault(dataset, Map.of()).getOrDefault(property, new Value("-", "-"));
    }

    /** The directory a mounted file system's data is read from, or null when it is not mounted. */
    public String mountedAt(String dataset) {
        String mp = get(dataset, "mountpoint").value();
        return get(dataset, "mounted").value().equals("yes") && mp.startsWith("/") ? mp : null;
    }

    /** An encrypted dataset whose key is not loaded here: its data cannot be read, only its GUIDs compared. */
    public boolean keyUnavailable(String dataset) {
        return get(dataset, "keystatus").value().equals("unavailable");
    }
}
