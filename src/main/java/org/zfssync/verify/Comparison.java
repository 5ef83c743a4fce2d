package org.zfssync.verify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.zfssync.replication.Glob;
import org.zfssync.replication.Selection;
import org.zfssync.replication.SnapshotNaming;
import org.zfssync.zfs.Bookmark;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.ResumeToken;
import org.zfssync.zfs.Snapshot;
import org.zfssync.zfs.TreeState;

/**
 * Pure: compares one listing of each side, dataset by dataset, by GUID. What counts as a
 * difference is what makes the replica not a copy of the source as of its newest snapshot: a
 * missing dataset or snapshot newer than the newest common one, no common snapshot at all, a
 * target that went its own way (a snapshot of its own after the common one, or changes since its
 * newest snapshot), and a snapshot name that means different data on the two sides. Older
 * snapshots one side pruned, holds, cursors and a pending resume are reported as notes.
 */
public final class Comparison {
    private final SnapshotNaming naming;
    private final List<Glob> includes;
    private final List<Glob> excludes;

    /** @param naming the target's snapshot naming: which holds and cursor bookmarks are zfs-sync's for it */
    public Comparison(SnapshotNaming naming) {
        this(naming, List.of(), List.of());
    }

    /** @param includes, excludes which datasets of a tree are replicated (a job's include and exclude) */
    public Comparison(SnapshotNaming naming, List<Glob> includes, List<Glob> excludes) {
        this.naming = naming;
        this.includes = List.copyOf(includes);
        this.excludes = List.copyOf(excludes);
    }

    /**
     * @param holds every hold on either side's snapshots (by full snapshot name); the tags decide which are ours
     */
    public VerifyReport compare(String sourceLabel, String targetLabel, TreeState source, TreeState target,
                                boolean recursive, Map<String, List<String>> holds) {
        if (!source.rootExists()) {
            throw new IllegalArgumentException("source " + source.root() + " does not exist");
        }
        List<Verdict> verdicts = new ArrayList<>();
        List<DatasetName> mapped = new ArrayList<>();
        for (DatasetState s : Selection.of(source, recursive, includes, excludes)) {
            DatasetName targetName = target.root().resolve(s.name().relativeTo(source.root()));
            mapped.add(targetName);
            verdicts.add(compare(s, targetName, target.get(targetName), holds));
        }
        List<String> targetOnly = new ArrayList<>();
        if (recursive) {
            for (DatasetState t : target.all()) {
                if (!mapped.contains(t.name())) {
                    targetOnly.add(t.name().value());
                }
            }
        }
        return new VerifyReport(sourceLabel, targetLabel, false, verdicts, targetOnly);
    }

    private Verdict compare(DatasetState s, DatasetName targetName, DatasetState t, Map<String, List<String>> holds) {
        String type = s.dataset().type().name().toLowerCase(Locale.ROOT);
        List<String> differences = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Hold> holdList = new ArrayList<>();
        collectHolds(s, holds, holdList);
        if (t == null) {
            differences.add("missing on the target: " + targetName);
            return new Verdict(s.name().value(), targetName.value(), type, Verdict.Status.DIFFERENT, null, 0,
                    names(s.snapshots()), List.of(), null, holdList, cursors(s, Map.of(), notes), null, differences,
                    notes, null);
        }
        collectHolds(t, holds, holdList);
        if (t.dataset().type() != s.dataset().type()) {
            differences.add("the target is a " + t.dataset().type().name().toLowerCase(Locale.ROOT) + ", the source a "
                    + type);
        }
        Map<Long, Snapshot> targetByGuid = new HashMap<>();
        Map<String, Snapshot> targetByName = new HashMap<>();
        for (Snapshot x : t.snapshots()) {
            targetByGuid.put(x.guid(), x);
            targetByName.put(x.name(), x);
        }
        Map<Long, Snapshot> sourceByGuid = new HashMap<>();
        Snapshot newestCommonSource = null;
        int common = 0;
        for (Snapshot x : s.snapshots()) {
            sourceByGuid.put(x.guid(), x);
            if (targetByGuid.containsKey(x.guid())) {
                newestCommonSource = x;
                common++;
            }
        }
        Snapshot newestCommonTarget = newestCommonSource == null ? null : targetByGuid.get(newestCommonSource.guid());
        List<String> lacks = new ArrayList<>();
        List<String> newerLacks = new ArrayList<>();
        for (Snapshot x : s.snapshots()) {
            if (!targetByGuid.containsKey(x.guid())) {
                lacks.add(x.name());
                if (newestCommonSource == null || x.createtxg() > newestCommonSource.createtxg()) {
                    newerLacks.add(x.name());
                }
                Snapshot sameName = targetByName.get(x.name());
                if (sameName != null) {
                    differences.add("@" + x.name() + " is a different snapshot on each side (same name, GUID "
                            + hex(x.guid()) + " on the source, " + hex(sameName.guid()) + " on the target)");
                }
            }
        }
        List<String> extra = new ArrayList<>();
        List<String> newerExtra = new ArrayList<>();
        for (Snapshot x : t.snapshots()) {
            if (!sourceByGuid.containsKey(x.guid())) {
                extra.add(x.name());
                if (newestCommonTarget != null && x.createtxg() > newestCommonTarget.createtxg()) {
                    newerExtra.add(x.name());
                }
            }
        }
        CommonSnapshot newestCommon = null;
        Long lag = null;
        if (newestCommonSource == null) {
            if (!s.snapshots().isEmpty() || !t.snapshots().isEmpty()) {
                differences.add("no common snapshot (by GUID): the target is not a replica of this source");
            } else {
                notes.add("neither side has a snapshot: nothing to compare");
            }
        } else {
            newestCommon = new CommonSnapshot(newestCommonSource.name(), newestCommonTarget.name(),
                    hex(newestCommonSource.guid()), newestCommonSource.creation());
            lag = Math.max(0, s.newestSnapshot().creation() - newestCommonSource.creation());
            if (!newerLacks.isEmpty()) {
                differences.add("the target lacks " + newerLacks.size() + " snapshot(s) newer than the newest common @"
                        + newestCommonSource.name() + ": " + at(newerLacks));
            }
            if (!newerExtra.isEmpty()) {
                differences.add("the target has " + newerExtra.size() + " snapshot(s) of its own after the newest common @"
                        + newestCommonTarget.name() + " (diverged): " + at(newerExtra));
            }
            if (!newestCommonSource.name().equals(newestCommonTarget.name())) {
                notes.add("the newest common snapshot is @" + newestCommonSource.name() + " on the source and @"
                        + newestCommonTarget.name() + " on the target (renamed; same GUID)");
            }
        }
        List<String> olderLacks = lacks.stream().filter(n -> !newerLacks.contains(n)).toList();
        if (!olderLacks.isEmpty()) {
            notes.add("the target lacks " + olderLacks.size() + " older snapshot(s) (pruned there or never sent): "
                    + at(olderLacks));
        }
        List<String> olderExtra = extra.stream().filter(n -> !newerExtra.contains(n)).toList();
        if (!olderExtra.isEmpty()) {
            notes.add("the target keeps " + olderExtra.size() + " snapshot(s) the source no longer has: "
                    + at(olderExtra));
        }
        Snapshot targetNewest = t.newestSnapshot();
        if (t.dataset().written() > 0 && targetNewest != null) {
            differences.add("the target changed since its newest snapshot @" + targetNewest.name() + " ("
                    + t.dataset().written() + " bytes written)");
        }
        String resume = null;
        if (t.dataset().resumeToken().isPresent()) {
            resume = describe(t.dataset().resumeToken().get());
            notes.add("a partial receive is pending on the target: " + resume
                    + "; the next sync resumes it");
        }
        for (Hold h : holdList) {
            if (h.ours()) {
                notes.add("hold " + h.tag() + " on " + h.snapshot() + ": zfs-sync's, taken while it sends to this "
                        + "target (a run in progress, or one that was killed; the next sync releases it)");
            }
        }
        return new Verdict(s.name().value(), targetName.value(), type,
                differences.isEmpty() ? Verdict.Status.EQUAL : Verdict.Status.DIFFERENT, newestCommon, common, lacks,
                extra, resume, holdList, cursors(s, targetByGuid, notes), lag, differences, notes, null);
    }

    /** zfs-sync's cursor bookmarks for this target on the source, each with the snapshot it marks. */
    private List<String> cursors(DatasetState s, Map<Long, Snapshot> targetByGuid, List<String> notes) {
        List<String> cursors = new ArrayList<>();
        for (Bookmark b : s.bookmarks()) {
            if (naming.isOwnCursor(b.name())) {
                Snapshot onTarget = targetByGuid.get(b.guid());
                cursors.add(b.fullName() + (onTarget == null ? " (marks a snapshot the target does not hold)"
                        : " (marks @" + onTarget.name() + " on the target)"));
                if (onTarget == null) {
                    notes.add("cursor " + b.fullName() + " marks GUID " + hex(b.guid())
                            + ", which the target does not hold");
                }
            }
        }
        return cursors;
    }

    private void collectHolds(DatasetState d, Map<String, List<String>> holds, List<Hold> out) {
        for (Snapshot x : d.snapshots()) {
            for (String tag : holds.getOrDefault(x.fullName(), List.of())) {
                out.add(new Hold(x.fullName(), tag, tag.equals(naming.holdTag())));
            }
        }
    }

    private static String describe(String token) {
        try {
            return ResumeToken.decode(token).toString();
        } catch (IllegalArgumentException e) {
            return "resume token present (" + e.getMessage() + ")";
        }
    }

    private static List<String> names(List<Snapshot> snapshots) {
        return snapshots.stream().map(Snapshot::name).toList();
    }

    private static String at(List<String> names) {
        List<String> shown = names.size() > 10 ? names.subList(names.size() - 10, names.size()) : names;
        return (names.size() > shown.size() ? "… " : "") + String.join(", ", shown.stream().map(n -> "@" + n).toList());
    }

    static String hex(long guid) {
        return String.format("%016x", guid);
    }
}
