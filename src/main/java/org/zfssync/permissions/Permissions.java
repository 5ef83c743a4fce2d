package org.zfssync.permissions;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The permissions one side needs, each once, sorted by name: the order {@code zfs allow} is given them in. */
public record Permissions(List<Need> needs) {
    public Permissions {
        // One entry per permission; a permission needed for two reasons keeps both.
        Map<String, String> byName = new TreeMap<>();
        needs.forEach(n -> byName.merge(n.permission(), n.reason(), (a, b) -> a.equals(b) ? a : a + "; " + b));
        needs = byName.entrySet().stream().map(e -> new Need(e.getKey(), e.getValue())).toList();
    }

    /** The comma list {@code zfs allow -u USER LIST DATASET} takes. */
    public String names() {
        return String.join(",", needs.stream().map(Need::permission).toList());
    }

    public boolean isEmpty() {
        return needs.isEmpty();
    }

    /** The needs that {@code granted} does not cover. */
    public Permissions missingFrom(Collection<String> granted) {
        return new Permissions(needs.stream().filter(n -> !granted.contains(n.permission())).toList());
    }
}
