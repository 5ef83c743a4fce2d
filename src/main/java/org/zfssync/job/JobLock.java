package org.zfssync.job;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.zfssync.lock.RunClaim;
import org.zfssync.lock.RunLock;
import org.zfssync.lock.Wait;

/**
 * Only what the lab test of a second run still uses: a lock on a job name alone, now a
 * {@link RunLock}. Remove it once that test takes a {@code RunLock} itself.
 */
public final class JobLock implements AutoCloseable {
    private final RunLock lock;

    private JobLock(RunLock lock) {
        this.lock = lock;
    }

    public static JobLock acquire(Path directory, String job) {
        return new JobLock(RunLock.acquire(directory, new RunClaim(Optional.of(job), "zfs-sync run " + job, List.of()),
                Wait.NONE, line -> { }));
    }

    @Override
    public void close() {
        lock.close();
    }
}
