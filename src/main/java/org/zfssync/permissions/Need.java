package org.zfssync.permissions;

/**
 * One permission a side needs ({@code zfs allow} name: an operation such as {@code send}, or a
 * property such as {@code readonly}), and what zfs-sync does with it: the reason a missing one
 * is reported with.
 */
public record Need(String permission, String reason) {
}
