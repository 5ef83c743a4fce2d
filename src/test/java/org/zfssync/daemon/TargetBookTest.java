package org.zfssync.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.zfssync.event.RunEvent;
import org.zfssync.web.TargetStatus;

/** A target's standing from run events: recovery point, failing since, datasets that went away, signals. */
class TargetBookTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final TargetBook.Key KEY = new TargetBook.Key("j", "nas:b/x");
    private final TargetBook book = new TargetBook();

    private void run(String id, Instant start, RunEvent.Result result, Object... datasets) {
        book.on(new RunEvent.RunStarted(id, RunEvent.Kind.JOB, "j", "src:p/x", "nas:b/x", false, start));
        for (int i = 0; i < datasets.length; i += 3) {
            String dataset = (String) datasets[i];
            RunEvent.DatasetStatus status = (RunEvent.DatasetStatus) datasets[i + 1];
            Instant creation = (Instant) datasets[i + 2];
            book.on(new RunEvent.DatasetFinished(id, "p/" + dataset, "b/" + dataset, status, null, "s", 0, 0, null,
                    Duration.ZERO, new RunEvent.HeldSnapshot("b/" + dataset, "s", creation), start.plusSeconds(5)));
        }
        book.on(new RunEvent.RunFinished(id, RunEvent.Counts.NONE, 0, result, result.exitCode(),
                result == RunEvent.Result.SUCCESS ? null : "boom", start.plusSeconds(10)));
    }

    @Test
    void anUnchangedSourceIsCurrentAsOfTheRunThatFoundSoAndATreeAsOfItsOldestDataset() {
        run("r1", T0, RunEvent.Result.SUCCESS, "x", RunEvent.DatasetStatus.DONE, T0, "x/a",
                RunEvent.DatasetStatus.DONE, T0);
        Instant later = T0.plus(Duration.ofHours(1));
        run("r2", later, RunEvent.Result.SUCCESS, "x", RunEvent.DatasetStatus.UP_TO_DATE, T0, "x/a",
                RunEvent.DatasetStatus.UP_TO_DATE, T0);
        assertThat(book.status(KEY).newestSnapshotCreated()).isEqualTo(later);
        run("r3", later.plusSeconds(60), RunEvent.Result.SUCCESS, "x", RunEvent.DatasetStatus.UP_TO_DATE, T0,
                "x/a", RunEvent.DatasetStatus.DONE, later.plusSeconds(60));
        assertThat(book.status(KEY).newestSnapshotCreated()).as("the tree is as old as its oldest dataset")
                .isEqualTo(later.plusSeconds(60));
    }

    @Test
    void aDatasetTheLatestSuccessfulRunNoLongerReportsStopsHoldingTheTreeBack() {
        run("r1", T0, RunEvent.Result.SUCCESS, "x", RunEvent.DatasetStatus.DONE, T0, "x/old",
                RunEvent.DatasetStatus.DONE, T0);
        Instant later = T0.plus(Duration.ofDays(1));
        run("r2", later, RunEvent.Result.SUCCESS, "x", RunEvent.DatasetStatus.DONE, later);
        assertThat(book.status(KEY).newestSnapshotCreated()).isEqualTo(later);
    }

    @Test
    void failingSinceIsTheFirstFailedRunsStartAndASignalChangesNothing() {
        run("r1", T0, RunEvent.Result.SUCCESS, "x", RunEvent.DatasetStatus.DONE, T0);
        run("r2", T0.plusSeconds(60), RunEvent.Result.FAILED);
        run("r3", T0.plusSeconds(120), RunEvent.Result.CANCELLED);
        run("r4", T0.plusSeconds(180), RunEvent.Result.ERROR);
        TargetStatus s = book.status(KEY);
        assertThat(s.failingSince()).isEqualTo(T0.plusSeconds(60));
        assertThat(s.lastError()).isEqualTo("boom");
        assertThat(s.lastSuccess()).isEqualTo(T0.plusSeconds(10));
        run("r5", T0.plusSeconds(240), RunEvent.Result.SUCCESS, "x", RunEvent.DatasetStatus.DONE, T0.plusSeconds(240));
        assertThat(book.status(KEY).failingSince()).isNull();
        assertThat(book.failure(KEY)).isEmpty();
    }
}
