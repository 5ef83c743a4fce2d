package org.zfssync.zfs;

import java.util.List;
import java.util.Map;

/**
 * {@code zfs receive} flags: {@code -F} (force a rollback, only with the user's explicit flag),
 * {@code -u} (do not mount), {@code -o prop=value} overrides and {@code -x prop} exclusions.
 *
 * @param readonlyNewTargets create targets with {@code readonly=on} (unless the user set readonly):
 *                           on a writable mounted replica even reading a file updates access
 *                           times, which ZFS counts as a modification that blocks the next
 *                           incremental receive; a read-only replica stays receivable.
 */
public record ReceiveFlags(boolean force, boolean noMount, Map<String, String> setProperties,
                           List<String> excludeProperties, boolean readonlyNewTargets) {
    public ReceiveFlags {
        setProperties = Map.copyOf(setProperties);
        excludeProperties = List.copyOf(excludeProperties);
        setProperties.keySet().forEach(ReceiveFlags::checkProperty);
        excludeProperties.forEach(ReceiveFlags::checkProperty);
    }

    /** Property names (native or user {@code module:name}) are checked before they reach any command. */
    private static void checkProperty(String property) {
        if (!property.matches("[a-z][a-z0-9_:.-]*")) {
            throw new IllegalArgumentException("invalid property name '" + property + "'");
        }
    }

    public static ReceiveFlags none() {
        return new ReceiveFlags(false, false, Map.of(), List.of(), false);
    }

    public ReceiveFlags withForce(boolean value) {
        return new ReceiveFlags(value, noMount, setProperties, excludeProperties, readonlyNewTargets);
    }

    /** The flags for the receive that creates a target. */
    public ReceiveFlags forNewTarget() {
        if (!readonlyNewTargets || setProperties.containsKey("readonly") || excludeProperties.contains("readonly")) {
            return this;
        }
        Map<String, String> props = new java.util.HashMap<>(setProperties);
        props.put("readonly", "on");
        return new ReceiveFlags(force, noMount, props, excludeProperties, readonlyNewTargets);
    }
}
