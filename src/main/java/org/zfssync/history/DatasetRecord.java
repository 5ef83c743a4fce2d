package org.zfssync.history;

import java.time.Duration;
import java.time.Instant;

/**
 * One dataset of a recorded run.
 *
 * @param status         a {@link org.zfssync.event.RunEvent.DatasetStatus} name
 * @param newestSnapshot the newest snapshot its target held after the run ({@code pool/fs@name}), or null
 * @param newestCreation that snapshot's creation time (the source's), or null
 */
public record DatasetRecord(String source, String target, String status, String from, String to, long bytes,
                            Duration duration, int retries, String message, String newestSnapshot,
                            Instant newestCreation) {
}
