package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DataSlotsTest {
    @Test
    void streamsAtTheSameTimeNeverShareAConnection() {
        DataSlots slots = new DataSlots();
        assertThat(slots.take()).isZero();
        assertThat(slots.take()).isEqualTo(1);
        assertThat(slots.take()).isEqualTo(2);
    }

    @Test
    void aConnectionGivenBackHealthyCarriesTheNextStream() {
        DataSlots slots = new DataSlots();
        int first = slots.take();
        slots.giveBack(first, true);
        assertThat(slots.take()).isEqualTo(first);
        slots.giveBack(first, true);
        slots.giveBack(first, true);
        assertThat(slots.take()).isEqualTo(first);
        assertThat(slots.take()).as("given back twice, handed out once").isEqualTo(1);
    }

    @Test
    void aConnectionWhoseStreamFailedIsNeverReused() {
        DataSlots slots = new DataSlots();
        int cut = slots.take();
        slots.giveBack(cut, false);
        assertThat(slots.take()).isEqualTo(1);
        assertThat(slots.drain()).as("the retired one is still closed at the end").isEqualTo(2);
        assertThat(slots.take()).isZero();
    }
}
