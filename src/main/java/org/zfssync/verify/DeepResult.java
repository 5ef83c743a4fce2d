package org.zfssync.verify;

import java.util.List;

/**
 * What the content check of one dataset found.
 *
 * @param checked        what was compared, e.g. {@code files of @s1 on both sides}
 * @param equal          true or false when both sides were read; null when they could not be
 * @param sourceDigest   a digest of the source side's content listing (or device), null if unread
 * @param targetDigest   the same for the target side
 * @param differences    the differing paths (first in path order first), or the volume, each with what differs
 * @param problem        why it could not be checked, or null
 */
public record DeepResult(String checked, Boolean equal, String sourceDigest, String targetDigest,
                         List<String> differences, String problem) {
    public DeepResult {
        differences = List.copyOf(differences);
    }

    static DeepResult unchecked(String checked, String problem) {
        return new DeepResult(checked, null, null, null, List.of(), problem);
    }
}
