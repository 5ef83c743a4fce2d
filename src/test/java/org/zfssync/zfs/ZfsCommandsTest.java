package org.zfssync.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zfssync.host.Command;

class ZfsCommandsTest {
    @Test
    void aDestroyEstimateIsTheSameBatchAsADryRunThatChangesNothing() {
        Command destroy = ZfsCommands.destroySnapshots(DatasetName.of("tank/a"), List.of("s1", "s2")).get(0);
        Command estimate = ZfsCommands.destroyEstimate(destroy);
        assertThat(estimate.argv()).containsExactly("zfs", "destroy", "-n", "-p", "-v", "tank/a@s1,s2");
        assertThat(estimate.readOnly()).isTrue();
        assertThatThrownBy(() -> ZfsCommands.destroyEstimate(ZfsCommands.rollback(DatasetName.of("tank/a"), "s1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void poolSyncFlushesWholePoolsOnly() {
        assertThat(ZfsCommands.poolSync(List.of(DatasetName.of("tank"), DatasetName.of("pool"))).argv())
                .containsExactly("zpool", "sync", "tank", "pool");
        assertThatThrownBy(() -> ZfsCommands.poolSync(List.of(DatasetName.of("tank/a"))))
                .hasMessageContaining("not a pool name");
    }

    @Test
    void reclaimIsReadFromTheParsableDryRunOutput() {
        // Verbatim from OpenZFS 2.3: zfs destroy -n -p -v tank/a@s1,s2
        assertThat(ZfsCommands.parseReclaim("destroy\ttank/a@s1\ndestroy\ttank/a@s2\nreclaim\t1064960\n"))
                .isEqualTo(1_064_960L);
        assertThat(ZfsCommands.parseReclaim("could not find any snapshots to destroy; check snapshot names.\n"))
                .isEqualTo(-1);
    }

    @Test
    void aLongDestroyListIsSplitBelowTheKernelsArgumentLimitAndLosesNothing() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            names.add("zfs-sync_nas_20261124T1000" + String.format("%05d", i) + "Z");
        }
        List<Command> commands = ZfsCommands.destroySnapshots(DatasetName.of("tank/a"), names);
        assertThat(commands).hasSizeGreaterThan(1);
        List<String> all = new ArrayList<>();
        for (Command c : commands) {
            String arg = c.argv().get(2);
            assertThat(arg.length()).isLessThan(ZfsCommands.MAX_ARGUMENT + 1);
            all.addAll(List.of(arg.substring(arg.indexOf('@') + 1).split(",")));
        }
        assertThat(all).isEqualTo(names);
    }
}
