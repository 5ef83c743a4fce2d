package org.zfssync.permissions;

/** What the user of each side of one replication must be allowed ({@code zfs allow}) to do. */
public record Required(Permissions source, Permissions target) {
}
