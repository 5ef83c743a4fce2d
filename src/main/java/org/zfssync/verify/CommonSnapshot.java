package org.zfssync.verify;

/**
 * The newest snapshot both sides hold, matched by GUID: its name on each side (a rename on one
 * side changes the name, never the GUID) and its creation time (seconds since the epoch).
 */
public record CommonSnapshot(String sourceName, String targetName, long guid, long creation) {
}
