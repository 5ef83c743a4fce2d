package org.zfssync.lock;

import org.zfssync.replication.Endpoint;
import org.zfssync.zfs.DatasetName;

/**
 * What a run changes on one target: a dataset on a host, with or without the datasets below it.
 *
 * @param host the ssh destination as written ({@code backup@nas}, an alias), or "" for this machine; two
 *     spellings of one host are two hosts here, as they are for the target id in snapshot names
 * @param recursive whether the run also changes every dataset below {@code dataset}
 */
public record LockTarget(String host, DatasetName dataset, boolean recursive) {
    public LockTarget {
        if (host.chars().anyMatch(Character::isWhitespace)) {
            // Endpoint.parse never yields one; the lock file format relies on it.
            throw new IllegalArgumentException("host '" + host + "' contains whitespace");
        }
    }

    public static LockTarget of(Endpoint endpoint, boolean recursive) {
        return new LockTarget(endpoint.sshDestination().orElse(""), endpoint.dataset(), recursive);
    }

    /** True when this target changes {@code other} (itself, or a dataset below it when recursive). */
    public boolean covers(DatasetName other) {
        return recursive ? other.isSelfOrDescendantOf(dataset) : other.equals(dataset);
    }

    /**
     * Two runs may not touch one dataset at once: they would release each other's holds (the tag is
     * the same for the same target id) and destroy each other's bases. Different hosts never overlap.
     */
    public boolean overlaps(LockTarget other) {
        return host.equals(other.host) && (covers(other.dataset) || other.covers(dataset));
    }

    /** As the user wrote it ({@code host:pool/fs} or {@code pool/fs}), with " (recursive)" when it is. */
    @Override
    public String toString() {
        return (host.isEmpty() ? "" : host + ":") + dataset + (recursive ? " (recursive)" : "");
    }
}
