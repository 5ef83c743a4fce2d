package org.zfssync.replication;

import java.time.Duration;

/** Waits between retries; injected so tests run the retry logic without waiting. */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;

    static Sleeper system() {
        return d -> Thread.sleep(d.toMillis());
    }
}
