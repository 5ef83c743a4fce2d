package org.zfssync.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.zfssync.alert.AlertPolicy.State;
import org.zfssync.testing.FakeClock;

class AlertPolicyTest {
    static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
    static final Duration RPO = Duration.ofHours(6);

    /** Puts a fresh policy into {@code state} for job a -> t. */
    static AlertPolicy in(State state) {
        AlertPolicy p = new AlertPolicy(Duration.ofHours(6));
        switch (state) {
            case FAILING -> p.runFinished("a", "t", "boom", T0);
            case RPO_OVER -> p.rpoChecked("a", "t", Duration.ofHours(7), RPO, T0);
            default -> { }
        }
        assertThat(p.state("a", "t")).isEqualTo(state);
        return p;
    }

    static Optional<Alert> apply(AlertPolicy p, String event, Instant at) {
        return switch (event) {
            case "failure" -> p.runFinished("a", "t", "boom again", at);
            case "success" -> p.runFinished("a", "t", null, at);
            case "rpoOver" -> p.rpoChecked("a", "t", Duration.ofHours(8), RPO, at);
            case "rpoOk" -> p.rpoChecked("a", "t", Duration.ofHours(1), RPO, at);
            default -> throw new IllegalArgumentException(event);
        };
    }

    /** Every state under every event: the next state and the one alert (or none) it sends. */
    @ParameterizedTest(name = "{0} + {1} -> {2}, alert {3}")
    @CsvSource({
            "OK,       failure, FAILING,  FAILURE",
            "OK,       success, OK,       ",
            "OK,       rpoOver, RPO_OVER, RPO_OVER",
            "OK,       rpoOk,   OK,       ",
            "FAILING,  failure, FAILING,  ",
            "FAILING,  success, OK,       RECOVERY",
            "FAILING,  rpoOver, FAILING,  ",
            "FAILING,  rpoOk,   FAILING,  ",
            "RPO_OVER, failure, FAILING,  FAILURE",
            "RPO_OVER, success, RPO_OVER, ",
            "RPO_OVER, rpoOver, RPO_OVER, ",
            "RPO_OVER, rpoOk,   OK,       RPO_OK",
    })
    void transitions(State from, String event, State to, Alert.Kind alert) {
        AlertPolicy p = in(from);
        Instant at = T0.plus(Duration.ofMinutes(5));
        Optional<Alert> sent = apply(p, event, at);
        assertThat(p.state("a", "t")).isEqualTo(to);
        assertThat(sent.map(Alert::kind)).isEqualTo(Optional.ofNullable(alert));
        sent.ifPresent(a -> {
            assertThat(a.at()).isEqualTo(at);
            assertThat(a.job()).isEqualTo("a");
            assertThat(a.target()).isEqualTo("t");
        });
    }

    @Test
    void aRecoveryWhileStillBehindTheRpoGoesToRpoOverAndSaysSo() {
        AlertPolicy p = in(State.FAILING);
        p.rpoChecked("a", "t", Duration.ofHours(9), RPO, T0.plusSeconds(60));
        Alert recovery = p.runFinished("a", "t", null, T0.plusSeconds(120)).orElseThrow();
        assertThat(recovery.kind()).isEqualTo(Alert.Kind.RECOVERY);
        assertThat(recovery.message()).contains("still behind its RPO", "9h 0m old");
        assertThat(p.state("a", "t")).isEqualTo(State.RPO_OVER);
        assertThat(p.rpoChecked("a", "t", Duration.ofMinutes(30), RPO, T0.plusSeconds(180)).orElseThrow().kind())
                .isEqualTo(Alert.Kind.RPO_OK);
    }

    @Test
    void aReminderEveryRepeatEveryWhileABadStateLastsAndNoneOnceItEnds() {
        FakeClock clock = new FakeClock(T0);
        AlertPolicy p = in(State.FAILING);
        assertThat(p.nextReminder()).contains(T0.plus(Duration.ofHours(6)));
        clock.advance(Duration.ofHours(6).minusSeconds(1));
        assertThat(p.remindersAt(clock.instant())).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        List<Alert> reminders = p.remindersAt(clock.instant());
        assertThat(reminders).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Alert.Kind.REMINDER);
            assertThat(a.message()).isEqualTo("still failing since " + T0 + ": boom");
        });
        assertThat(p.remindersAt(clock.instant())).as("one per period").isEmpty();
        assertThat(p.runFinished("a", "t", "boom", clock.instant())).as("the same failure again: quiet").isEmpty();
        clock.advance(Duration.ofHours(6));
        assertThat(p.remindersAt(clock.instant())).hasSize(1);
        p.runFinished("a", "t", null, clock.instant());
        clock.advance(Duration.ofDays(2));
        assertThat(p.remindersAt(clock.instant())).isEmpty();
        assertThat(p.nextReminder()).isEmpty();
    }

    @Test
    void targetsAreTrackedApartAndRemovedJobsForgotten() {
        AlertPolicy p = new AlertPolicy(Duration.ofHours(1));
        assertThat(p.runFinished("a", "nas", "down", T0)).isPresent();
        assertThat(p.runFinished("a", "offsite", null, T0)).isEmpty();
        assertThat(p.runFinished("b", "nas", "down", T0)).isPresent();
        assertThat(p.state("a", "offsite")).isEqualTo(State.OK);
        assertThat(p.runFinished("a", "old", "down", T0)).isPresent();
        p.retain(java.util.Map.of("a", Set.of("nas", "offsite")));
        assertThat(p.remindersAt(T0.plus(Duration.ofHours(1)))).extracting(Alert::job, Alert::target)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "nas"));
        assertThat(p.state("b", "nas")).as("a job that left").isEqualTo(State.OK);
        assertThat(p.state("a", "old")).as("a target that left its job").isEqualTo(State.OK);
        assertThatThrownBy(() -> new AlertPolicy(Duration.ZERO)).hasMessageContaining("positive");
    }

    @Test
    void anRpoReminderCarriesTheLag() {
        AlertPolicy p = in(State.RPO_OVER);
        assertThat(p.remindersAt(T0.plus(RPO))).singleElement().extracting(Alert::message).asString()
                .startsWith("still behind its RPO since " + T0 + ": newest replicated snapshot is 7h 0m old, over 6h 0m");
    }
}
