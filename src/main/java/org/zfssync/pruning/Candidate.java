package org.zfssync.pruning;

import java.time.Instant;

/**
 * A snapshot as retention sees it.
 *
 * @param ours      named by this job (its exact prefix); only ours are ever pruned
 * @param held      has a user hold ({@code userrefs > 0})
 * @param needed    the newest common snapshot of some target, or the base of a pending resume
 */
public record Candidate(String name, Instant creation, long guid, boolean ours, boolean held, boolean needed) {
    /** May retention destroy it at all, whatever the policy says? */
    public boolean prunable() {
        return ours && !held && !needed;
    }
}
