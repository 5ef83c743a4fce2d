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
public record SnapshotNaming(String prefix, String targetId, String template, boolean forJob) {
    public static final String DEFAULT_PREFIX = "zfs-sync";
    public static final String DEFAULT_TEMPLATE = "{prefix}_{target}_{timestamp}";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final String TIMESTAMP_REGEX = "\\d{8}T\\d{6}Z";
    private static final Pattern SIMPLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]*");
    private static final String JOB_MARK = "job.";
    /** A target id in a family pattern: any id but a job's mark. */
    private static final String TARGET_ID_REGEX = "(?!job\\.)" + SIMPLE.pattern();
    private static final String JOB_ID_REGEX = "job\\." + SIMPLE.pattern();
    private static final String CURSOR_MARK = "_cursor_";

    /** The naming of a job's own snapshots: {@code job.NAME} where sync snapshots carry a target id. */
    public static SnapshotNaming forJob(String prefix, String jobName, String template) {
        return new SnapshotNaming(prefix, JOB_MARK + jobName, template, true);
    }

    /** The naming of one target's sync snapshots. */
    public SnapshotNaming(String prefix, String targetId, String template) {
        this(prefix, targetId, template, false);
    }

    /**
     * @param forJob a job's own snapshots ({@code job.NAME} in place of a target id), which are no
     *               target's sync snapshots; a target id may never start with {@code job.}, so the
     *               two kinds of name can never match each other's patterns
     */
    public SnapshotNaming {
        check("snapshot prefix", prefix);
        check("target id", targetId);
        if (!forJob && targetId.startsWith(JOB_MARK)) {
            throw new IllegalArgumentException("target id '" + targetId + "' must not start with '" + JOB_MARK
                    + "': that marks a job's own snapshots");
        }
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

    /**
     * The sync snapshots of every target id with this prefix and template (other targets' included),
     * never a job's own snapshots.
     */
    public Pattern familyOwnership() {
        return pattern(TARGET_ID_REGEX);
    }

    /** The own snapshots of every job with this prefix and template. */
    public Pattern jobOwnership() {
        return pattern(JOB_ID_REGEX);
    }

    private Pattern pattern(String idRegex) {
        String regex = Pattern.quote(template).replace("{prefix}", "\\E" + Pattern.quote(prefix) + "\\Q")
                .replace("{target}", "\\E" + idRegex + "\\Q")
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

    /**
     * The name of this target's replication cursor on a source dataset: a bookmark of the newest
     * snapshot the target confirmed, carrying its GUID, so the next incremental can start from it
     * after the snapshot itself was pruned.
     */
    public String cursorName(long guid) {
        return prefix + "_" + targetId + CURSOR_MARK + String.format("%016x", guid);
    }

    /** A cursor's name for a dry run, before the snapshot it will point at (and so its GUID) exists. */
    public String cursorPlaceholder(String snapshotName) {
        return prefix + "_" + targetId + CURSOR_MARK + "GUID-OF-" + snapshotName;
    }

    /** Whether a bookmark name is one of this target's cursors (never another target's or the user's). */
    public boolean isOwnCursor(String bookmarkName) {
        String head = prefix + "_" + targetId + CURSOR_MARK;
        if (bookmarkName.length() != head.length() + 16 || !bookmarkName.startsWith(head)) {
            return false;
        }
        for (int i = head.length(); i < bookmarkName.length(); i++) {
            if (Character.digit(bookmarkName.charAt(i), 16) < 0 || Character.isUpperCase(bookmarkName.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
