package org.zfssync.history;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where one job (or, for {@code sync}, one source) stands with one target, from its recorded runs.
 *
 * @param job            null for syncs
 * @param lastRun        when the latest finished run started
 * @param lastResult     its {@link org.zfssync.event.RunEvent.Result} name
 * @param lastSuccess    when the latest successful run ended; null if none is recorded
 * @param newestSnapshot the newest snapshot the target held after the latest run that read it
 *                       ({@code pool/fs@name}); null if unknown
 * @param newestCreation its creation time, the source snapshot's: the recovery point
 * @param failingSince   when the first run failed after the latest success; null while the latest run succeeded
 * @param lastError      the latest run's error while it is failing; null otherwise
 */
public record StatusRow(String job, String source, String target, Instant lastRun, String lastResult,
                        Instant lastSuccess, String newestSnapshot, Instant newestCreation, Instant failingSince,
                        String lastError) {
    /** The recovery point objective as it stands: how old the newest data on the target is. */
    public Optional<Duration> rpo(Instant now) {
        return newestCreation == null ? Optional.empty() : Optional.of(Duration.between(newestCreation, now));
    }
}
