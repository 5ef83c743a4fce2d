package org.zfssync.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ZfsListParserTest {
    private static final String LISTING = String.join("\n",
            "tank/a\tfilesystem\t111\t5\t1700000000\t4096\toff\t-\t-",
            "tank/a@new\tsnapshot\t3\t30\t1700000300\t0\toff\t-\t1",
            "tank/a@old\tsnapshot\t2\t20\t1700000200\t0\toff\t-\t0",
            "tank/a#mark\tbookmark\t2\t20\t1700000200\t-\t-\t-\t-",
            "tank/a/enc\tfilesystem\t222\t7\t1700000000\t0\taes-256-gcm\t-\t-",
            "tank/a/vol\tvolume\t333\t8\t1700000000\t0\toff\t1-abc-def-123\t-",
            "tank/a/my data\tfilesystem\t18446744073709551615\t9\t1700000000\t0\toff\t-\t-",
            "");

    @Test
    void parsesDatasetsSnapshotsAndBookmarks() {
        TreeState state = ZfsListParser.parse(LISTING, DatasetName.of("tank/a"));
        assertThat(state.rootExists()).isTrue();
        assertThat(state.datasets().keySet()).extracting(DatasetName::value)
                .containsExactly("tank/a", "tank/a/enc", "tank/a/my data", "tank/a/vol");
        DatasetState a = state.get(DatasetName.of("tank/a"));
        assertThat(a.dataset().written()).isEqualTo(4096);
        assertThat(a.snapshots()).extracting(Snapshot::name).containsExactly("old", "new");
        assertThat(a.snapshots().get(1).userrefs()).isEqualTo(1);
        assertThat(a.bookmarks()).extracting(Bookmark::fullName).containsExactly("tank/a#mark");
        assertThat(state.get(DatasetName.of("tank/a/enc")).dataset().encrypted()).isTrue();
        assertThat(a.dataset().encrypted()).isFalse();
        DatasetState vol = state.get(DatasetName.of("tank/a/vol"));
        assertThat(vol.dataset().type()).isEqualTo(DatasetType.VOLUME);
        assertThat(vol.dataset().resumeToken()).contains("1-abc-def-123");
        assertThat(state.get(DatasetName.of("tank/a/my data")).dataset().guid()).isEqualTo(-1L);
    }

    @Test
    void ordersSnapshotsByCreatetxgNotByListingOrderOrName() {
        TreeState state = ZfsListParser.parse(LISTING, DatasetName.of("tank/a"));
        assertThat(state.get(DatasetName.of("tank/a")).newestSnapshot().name()).isEqualTo("new");
    }

    @Test
    void snapshotsFindTheirDatasetWhereverTheyAreListedAndShareOneNameString() {
        String listing = String.join("\n",
                "tank/a\tfilesystem\t1\t5\t1700000000\t0\toff\t-\t-",
                "tank/a/b\tfilesystem\t2\t6\t1700000000\t0\toff\t-\t-",
                "tank/a/b@s1\tsnapshot\t3\t7\t1700000000\t12288\toff\t-\t0",
                "tank/a@s1\tsnapshot\t4\t7\t1700000000\t0\toff\t-\t0",
                "tank/ab@s1\tsnapshot\t5\t7\t1700000000\t0\toff\t-\t0",
                "tank/ab\tfilesystem\t6\t5\t1700000000\t0\toff\t-\t-", "");
        TreeState state = ZfsListParser.parse(listing, DatasetName.of("tank"));
        Snapshot ab = state.get(DatasetName.of("tank/a/b")).snapshots().get(0);
        Snapshot a = state.get(DatasetName.of("tank/a")).snapshots().get(0);
        assertThat(ab.written()).isEqualTo(12288);
        assertThat(a.guid()).isEqualTo(4);
        assertThat(a.name()).isSameAs(ab.name());
        assertThat(state.get(DatasetName.of("tank/ab")).snapshots()).extracting(Snapshot::guid).containsExactly(5L);
        assertThatThrownBy(() -> ZfsListParser.parse("tank\tfilesystem\t184467440737095516150\t5\t1\t0\toff\t-\t-",
                DatasetName.of("tank"))).hasMessageContaining("is not a number");
    }

    @Test
    void emptyOutputIsAnAbsentRoot() {
        assertThat(ZfsListParser.parse("", DatasetName.of("tank")).rootExists()).isFalse();
    }

    @Test
    void rejectsMalformedLines() {
        assertThatThrownBy(() -> ZfsListParser.parse("tank\tfilesystem\t1\n", DatasetName.of("tank")))
                .hasMessageContaining("line 1").hasMessageContaining("columns");
        assertThatThrownBy(() -> ZfsListParser.parse("tank\tfilesystem\tx\t5\t1\t0\toff\t-\t-", DatasetName.of("tank")))
                .hasMessageContaining("'x' is not a number");
        assertThatThrownBy(() -> ZfsListParser.parse("tank\tpool\t1\t5\t1\t0\toff\t-\t-", DatasetName.of("tank")))
                .hasMessageContaining("unknown type");
        assertThatThrownBy(() -> ZfsListParser.parse("tank\tfilesystem\t1\t5\t1\t0\toff\t-\t-\textra",
                DatasetName.of("tank"))).hasMessageContaining("more than");
    }

    @Test
    void parsesZfsVersion() {
        ZfsVersion v = ZfsVersion.parse("zfs-2.1.11-1+deb12u1\nzfs-kmod-2.1.11-1+deb12u1\n");
        assertThat(v.major()).isEqualTo(2);
        assertThat(v.minor()).isEqualTo(1);
        assertThat(v.patch()).isEqualTo(11);
        assertThat(v.toString()).isEqualTo("2.1.11-1+deb12u1");
        assertThat(ZfsVersion.parse("zfs-2.3.2-2~bpo12+2").atLeast(2, 2)).isTrue();
        assertThatThrownBy(() -> ZfsVersion.parse("garbage")).hasMessageContaining("unrecognised");
    }

    @Test
    void destroyListsAreSplitBelowTheArgumentLimit() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            names.add("zfs-sync_target_20261124T1053" + String.format("%02dZ", i % 60) + i);
        }
        var commands = ZfsCommands.destroySnapshots(DatasetName.of("tank/a"), names);
        assertThat(commands).hasSizeGreaterThan(1);
        assertThat(commands).allSatisfy(c -> assertThat(c.argv().get(2).length()).isLessThanOrEqualTo(ZfsCommands.MAX_ARGUMENT));
        int total = commands.stream().mapToInt(c -> c.argv().get(2).split(",").length).sum();
        assertThat(total).isEqualTo(5000);
    }
}
