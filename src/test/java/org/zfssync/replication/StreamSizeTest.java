package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zfssync.zfs.Bookmark;
import org.zfssync.zfs.Dataset;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.DatasetType;
import org.zfssync.zfs.Snapshot;

class StreamSizeTest {
    private static final DatasetName A = DatasetName.of("tank/a");
    private static final long MIB = 1 << 20;

    private static Snapshot snap(String name, long txg, long written) {
        return new Snapshot(A, name, txg * 7, txg, 1_700_000_000L + txg, written, 0);
    }

    private static DatasetState state(List<Bookmark> bookmarks, Snapshot... snapshots) {
        return new DatasetState(new Dataset(A, DatasetType.FILESYSTEM, 1, 1, 0, false, Optional.empty()),
                List.of(snapshots), bookmarks);
    }

    private static final DatasetState TREE = state(List.of(new Bookmark(A, "mark", 14, 2, 1_700_000_002L)),
            snap("s1", 1, 4 * MIB), snap("s2", 2, 6 * MIB), snap("s3", 3, 10 * MIB), snap("s4", 4, 1 * MIB));

    @Test
    void aFullStreamCountsEverySnapshotUpToItsEnd() {
        assertThat(StreamSize.small(TREE, null, "s2")).isTrue(); // 10 MiB
        assertThat(StreamSize.small(TREE, null, "s3")).isFalse(); // 20 MiB
    }

    @Test
    void anIncrementalCountsOnlyWhatComesAfterItsBase() {
        assertThat(StreamSize.small(TREE, "tank/a@s2", "s4")).isTrue(); // 11 MiB
        assertThat(StreamSize.small(TREE, "tank/a@s1", "s4")).isFalse(); // 17 MiB
        assertThat(StreamSize.small(TREE, "tank/a#mark", "s4")).isTrue(); // after the bookmark's txg 2: 11 MiB
    }

    @Test
    void theSnapshotARunIsAboutToTakeCarriesWhatWasWrittenSinceTheNewest() {
        DatasetState written = new DatasetState(new Dataset(A, DatasetType.FILESYSTEM, 1, 1, 3 * MIB, false,
                Optional.empty()), TREE.snapshots(), List.of());
        assertThat(StreamSize.bound(written, "tank/a@s4", "new", true)).isEqualTo(3 * MIB);
        assertThat(StreamSize.bound(written, null, "new", true)).isEqualTo(24 * MIB);
        assertThat(StreamSize.bound(written, "tank/a@s4", "new", false)).as("not listed").isEqualTo(-1);
    }

    @Test
    void aTinyStreamRunsWithoutTheRunsCompressorAndBuffers() {
        StreamShape run = new StreamShape(List.of(new Compression(org.zfssync.host.Helper.ZSTD)));
        DatasetState small = state(List.of(), snap("s1", 1, 300_000), snap("s2", 2, 2 * MIB));
        assertThat(StreamSize.shape(run, small, send(null, "s1"))).isEqualTo(StreamShape.plain());
        assertThat(StreamSize.shape(run, small, send(null, "s2"))).isEqualTo(run);
        assertThat(StreamSize.shape(run, small, send("tank/a@s1", "s2"))).isEqualTo(run);
        assertThat(StreamSize.shape(run, small, send("tank/a@s2", "next"))).as("nothing written since s2")
                .isEqualTo(StreamShape.plain());
        assertThat(StreamSize.shape(run, small, send("tank/a@gone", "s2"))).isEqualTo(run);
        assertThat(StreamSize.shape(run, null, send(null, "s1"))).isEqualTo(run);
    }

    private static Step.Send send(String from, String to) {
        return new Step.Send(A, DatasetName.of("backup/a"), from, from != null, to, org.zfssync.zfs.SendFlags.none(),
                new org.zfssync.zfs.ReceiveFlags(false, true, java.util.Map.of(), List.of(), true), true);
    }

    @Test
    void whatTheListingDoesNotShowIsBig() {
        assertThat(StreamSize.small(TREE, "tank/a@gone", "s4")).isFalse();
        assertThat(StreamSize.small(TREE, "tank/a#gone", "s4")).isFalse();
        assertThat(StreamSize.small(TREE, null, "gone")).isFalse();
        assertThat(StreamSize.small(null, null, "s1")).isFalse();
    }
}
