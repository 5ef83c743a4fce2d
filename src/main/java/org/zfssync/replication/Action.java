package org.zfssync.replication;

/** What the plan does for one dataset. */
public enum Action {
    /** The target does not exist: full send, then the rest incrementally. */
    FULL,
    /** Incremental from the newest common snapshot. */
    INCREMENTAL,
    /** The target already has the newest snapshot. */
    UP_TO_DATE,
    /** Not safe without a flag the user did not give; nothing is done. */
    REFUSED
}
