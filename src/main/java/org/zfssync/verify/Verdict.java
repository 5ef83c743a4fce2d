package org.zfssync.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * How one dataset's replica compares with its source.
 *
 * @param type            filesystem or volume
 * @param newestCommon    the newest snapshot both hold (by GUID), or null
 * @param commonSnapshots how many snapshots both hold
 * @param targetLacks     source snapshots the target does not hold (by GUID), by name, oldest first
 * @param targetExtra     target snapshots the source does not hold (by GUID), by name, oldest first
 * @param resume          the partial receive pending on the target, or null
 * @param holds           user holds on either side's snapshots
 * @param cursors         zfs-sync's cursor bookmarks for this target on the source, with what they mark
 * @param lagSeconds      creation of the source's newest snapshot minus that of the newest common one;
 *                        null without a common snapshot
 * @param differences     each way the replica is not the same as the source
 * @param notes           what is worth knowing but is not a difference
 * @param deep            the content check, or null when none ran
 */
public record Verdict(String source, String target, String type, Status status, CommonSnapshot newestCommon,
                      int commonSnapshots, List<String> targetLacks, List<String> targetExtra, String resume,
                      List<Hold> holds, List<String> cursors, Long lagSeconds, List<String> differences,
                      List<String> notes, DeepResult deep) {
    /** Equal, different (each difference listed), or not fully checked (and no difference found). */
    public enum Status {
        EQUAL, DIFFERENT, UNCHECKED
    }

    public Verdict {
        targetLacks = List.copyOf(targetLacks);
        targetExtra = List.copyOf(targetExtra);
        holds = List.copyOf(holds);
        cursors = List.copyOf(cursors);
        differences = List.copyOf(differences);
        notes = List.copyOf(notes);
    }

    /** This verdict with a content check's result: its differences added and the status decided again. */
    public Verdict withDeep(DeepResult result) {
        List<String> diffs = new ArrayList<>(differences);
        if (Boolean.FALSE.equals(result.equal())) {
            result.differences().forEach(d -> diffs.add("content: " + d));
        }
        List<String> more = new ArrayList<>(notes);
        if (result.problem() != null) {
            more.add("content not checked: " + result.problem());
        }
        Status s = !diffs.isEmpty() ? Status.DIFFERENT
                : result.problem() != null || status == Status.UNCHECKED ? Status.UNCHECKED : Status.EQUAL;
        return new Verdict(source, target, type, s, newestCommon, commonSnapshots, targetLacks, targetExtra, resume,
                holds, cursors, lagSeconds, diffs, more, result);
    }
}
