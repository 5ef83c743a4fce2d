package org.zfssync.zfs;

import java.util.List;
import java.util.Map;

/**
 * {@code zfs receive} flags: {@code -F} (force a rollback, only with the user's explicit flag),
 * {@code -u} (do not mount), {@code -o prop=value} overrides and {@code -x prop} exclusions.
 */
public record ReceiveFlags(boolean force, boolean noMount, Map<String, String> setProperties,
                           List<String> excludeProperties) {
    public ReceiveFlags {
        setProperties = Map.copyOf(setProperties);
        excludeProperties = List.copyOf(excludeProperties);
    }

    public static ReceiveFlags none() {
        return new ReceiveFlags(false, false, Map.of(), List.of());
    }

    public ReceiveFlags withForce(boolean value) {
        return new ReceiveFlags(value, noMount, setProperties, excludeProperties);
    }
}
