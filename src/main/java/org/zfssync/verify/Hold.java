package org.zfssync.verify;

/**
 * A user hold on a snapshot, as {@code zfs holds -H} lists it.
 *
 * @param ours whether the tag is the one zfs-sync takes while it sends to this target
 */
public record Hold(String snapshot, String tag, boolean ours) {
}
