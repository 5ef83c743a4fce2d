package org.zfssync.replication;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;
import org.zfssync.zfs.DatasetName;

/**
 * Names of the snapshots zfs-sync takes for one target, from a template with {@code {prefix}},
 * {@code {target}} and {@code {timestamp}} (UTC, {@code 20261124T105300Z}). The target id in the
 * name means two targets of one source never prune each other's incremental base, and
 * ownership is decided by matching the whole name exactly: a user's {@code zfs-sync_manual}
 * is never ours.
 */
public record SnapshotNaming(String prefix, String targetId, String template) {
    public static final String DEFAULT_PREFIX = "zfs-sync";
    public static final String DEFAULT_TEMPLATE = "{prefix}_{target}_{timestamp}";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final String TIMESTAMP_REGEX = "\\d{8}T\\d{6}Z";
    private static final Pattern SIMPLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]*");

    public SnapshotNaming {
        check("snapshot prefix", prefix);
        check("target id", targetId);
        if (!template.contains("{timestamp}")) {
            throw new IllegalArgumentException("snapshot template '" + template + "' must contain {timestamp}");
        }
        if (!template.contains("{prefix}")) {
            throw new IllegalArgumentException("snapshot template '" + template
                    + "' must contain {prefix}: ownership is decided by the prefix");
        }
        DatasetName.checkSnapshotName(template.replace("{prefix}", prefix).replace("{target}", targetId)
                .replace("{timestamp}", "20000101T000000Z"));
    }

    private static void check(String what, String value) {
        if (!SIMPLE.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value
                    + "' must start with a letter or digit and use only letters, digits and _ . : -");
        }
    }

    /** The tag of the holds zfs-sync puts on snapshots while it sends them to this target. */
    public String holdTag() {
        return prefix + "_" + targetId;
    }

    public String nameAt(Instant time) {
        return template.replace("{prefix}", prefix).replace("{target}", targetId)
                .replace("{timestamp}", TIMESTAMP.format(time));
    }

    /** The sync snapshots of every target id with this prefix and template (other targets' included). */
    public Pattern familyOwnership() {
        String regex = Pattern.quote(template).replace("{prefix}", "\\E" + Pattern.quote(prefix) + "\\Q")
                .replace("{target}", "\\E" + SIMPLE.pattern() + "\\Q")
                .replace("{timestamp}", "\\E" + TIMESTAMP_REGEX + "\\Q");
        return Pattern.compile(regex);
    }

    /** The exact pattern of this target's snapshots; nothing else is ever cleaned up. */
    public Pattern ownership() {
        String regex = Pattern.quote(template).replace("{prefix}", "\\E" + Pattern.quote(prefix) + "\\Q")
                .replace("{target}", "\\E" + Pattern.quote(targetId) + "\\Q")
                .replace("{timestamp}", "\\E" + TIMESTAMP_REGEX + "\\Q");
        return Pattern.compile(regex);
    }

    public boolean isOurs(String snapshotName) {
        return ownership().matcher(snapshotName).matches();
    }
}
