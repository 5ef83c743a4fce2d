package org.zfssync.event;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RunEventsTest {
    private static final Instant T = Instant.parse("2026-11-24T10:00:00Z");
    private final Logger logger = (Logger) LoggerFactory.getLogger(RunEvents.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void capture() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    private static RunEvent started(String run) {
        return new RunEvent.RunStarted(run, RunEvent.Kind.SYNC, null, "tank/a", "nas:pool/a", false, T);
    }

    @Test
    void aThrowingListenerIsLoggedOncePerRunAndNeitherTheRunNorTheOtherListenersNotice() {
        List<RunEvent> seen = new ArrayList<>();
        RunListener broken = e -> {
            throw new IllegalStateException("disk full");
        };
        RunEvents events = RunEvents.of(Clock.fixed(T, ZoneOffset.UTC), List.of(broken, seen::add));
        events.emit(started("r1"));
        events.emit(started("r1"));
        events.emit(started("r2"));
        assertThat(seen).hasSize(3);
        List<ILoggingEvent> warnings = logged.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0).getFormattedMessage()).contains("run r1", "disk full", "the run goes on");
        assertThat(warnings.get(1).getFormattedMessage()).contains("run r2");
    }

    @Test
    void noneIsSilentAndWithAddsAListenerOnTheSameClock() {
        assertThat(RunEvents.none().silent()).isTrue();
        RunEvents.none().emit(started("r"));
        List<RunEvent> seen = new ArrayList<>();
        RunEvents events = RunEvents.of(Clock.fixed(T, ZoneOffset.UTC), List.of()).with(seen::add);
        assertThat(events.silent()).isFalse();
        assertThat(events.now()).isEqualTo(T);
        events.emit(started("r"));
        assertThat(seen).containsExactly(started("r"));
        assertThat(events.newRunId()).isNotEqualTo(events.newRunId());
    }

    @Test
    void theWorstDatasetDecidesARunsResult() {
        assertThat(new RunEvent.Counts(3, 1, 0, 0, 0, 0).result()).isEqualTo(RunEvent.Result.SUCCESS);
        assertThat(new RunEvent.Counts(3, 1, 0, 1, 0, 1).result()).isEqualTo(RunEvent.Result.FAILED);
        assertThat(new RunEvent.Counts(0, 0, 0, 0, 1, 0).result()).isEqualTo(RunEvent.Result.FAILED);
        assertThat(new RunEvent.Counts(0, 0, 1, 1, 0, 1).result()).isEqualTo(RunEvent.Result.REFUSED);
        assertThat(new RunEvent.Counts(1, 0, 0, 0, 0, 1).result()).isEqualTo(RunEvent.Result.CANCELLED);
        assertThat(new RunEvent.Counts(1, 2, 3, 4, 5, 6).total()).isEqualTo(21);
    }
}
