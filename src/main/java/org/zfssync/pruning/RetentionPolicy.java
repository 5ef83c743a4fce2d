package org.zfssync.pruning;

import java.time.Duration;

/**
 * How many of our snapshots to keep on one side: the newest {@code last}, plus the newest
 * snapshot of each of the newest N periods of each kind. Periods are read in the job's time
 * zone (hours by the instant, so the repeated hour at a DST change is two hours, as it is).
 *
 * @param last            newest snapshots kept whatever their age
 * @param frequent        frequent periods kept
 * @param frequentPeriod  length of a frequent period (e.g. 15 minutes)
 */
public record RetentionPolicy(int last, int frequent, Duration frequentPeriod, int hourly, int daily, int weekly,
        int monthly, int yearly) {
    public RetentionPolicy {
        for (int n : new int[] {last, frequent, hourly, daily, weekly, monthly, yearly}) {
            if (n < 0) {
                throw new IllegalArgumentException("retention counts must not be negative");
            }
        }
        if (frequent > 0 && (frequentPeriod == null || frequentPeriod.isZero() || frequentPeriod.isNegative()
                || frequentPeriod.toSeconds() < 60)) {
            throw new IllegalArgumentException("a frequent period must be at least one minute");
        }
    }

    /** Keep everything: no count is set. The safe reading of an empty policy. */
    public boolean keepsEverything() {
        return last == 0 && frequent == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0;
    }
}
