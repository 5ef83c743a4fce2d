package org.zfssync.verify;

/**
 * The newest snapshot both sides hold, matched by GUID: its name on each side (a rename on one
 * side changes the name, never the GUID), the GUID as 16 hex digits (an unsigned 64-bit number,
 * which JSON readers would round or sign as a number) and its creation time (seconds since the epoch).
 */
public record CommonSnapshot(String sourceName, String targetName, String guid, long creation) {
}
