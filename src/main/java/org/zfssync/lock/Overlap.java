package org.zfssync.lock;

/** Why two runs may not run at once: the same job, or target trees that share a dataset. */
public sealed interface Overlap {
    /** Both runs are the same job. */
    record SameJob(String job) implements Overlap {
    }

    /** {@code mine} and {@code theirs} share at least one dataset on the same host. */
    record SameTree(LockTarget mine, LockTarget theirs) implements Overlap {
    }
}
