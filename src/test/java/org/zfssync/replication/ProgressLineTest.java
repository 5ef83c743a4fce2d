package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.zfssync.zfs.ZfsCommands;

class ProgressLineTest {
    @Test
    void withAnEstimateShowsBarPercentageRateAndEta() {
        String line = ProgressLine.format("tank/a", 50L << 20, 200L << 20, 5.0);
        assertThat(line).isEqualTo("tank/a  [#####               ]  25%  50.0 MiB / 200.0 MiB  10.0 MiB/s  ETA 0:15");
    }

    @Test
    void withoutAnEstimateShowsBytesAndRateOnly() {
        assertThat(ProgressLine.format("tank/a", 3L << 30, -1, 2.0)).isEqualTo("tank/a  3.0 GiB  1.5 GiB/s");
    }

    @Test
    void aStreamBiggerThanItsEstimateStopsAtAFullBar() {
        assertThat(ProgressLine.format("x", 300, 200, 1.0)).contains("[####################] 100%", "ETA 0:00");
    }

    @Test
    void readsTheSizeLineOfZfsSendNP() {
        assertThat(ZfsCommands.parseEstimate("full\ttank/a@s\t209848856\nsize\t209848856\n")).isEqualTo(209848856L);
        assertThat(ZfsCommands.parseEstimate("cannot open 'tank/a@s': dataset does not exist")).isEqualTo(-1);
    }
}
