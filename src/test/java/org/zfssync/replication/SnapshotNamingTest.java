package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SnapshotNamingTest {
    private final SnapshotNaming naming = new SnapshotNaming("zfs-sync", "nas", SnapshotNaming.DEFAULT_TEMPLATE);

    @Test
    void namesCarryPrefixTargetAndUtcTime() {
        assertThat(naming.nameAt(Instant.parse("2026-11-24T10:53:07Z"))).isEqualTo("zfs-sync_nas_20261124T105307Z");
    }

    @Test
    void ownershipIsTheExactPattern() {
        assertThat(naming.isOurs("zfs-sync_nas_20261124T105307Z")).isTrue();
        assertThat(naming.isOurs("zfs-sync_nas_manual")).isFalse();
        assertThat(naming.isOurs("zfs-sync_nas_20261124T105307Z-copy")).isFalse();
        assertThat(naming.isOurs("xzfs-sync_nas_20261124T105307Z")).isFalse();
        assertThat(naming.isOurs("zfs-sync_nas2_20261124T105307Z")).isFalse();
        assertThat(naming.isOurs("zfs-syncX_nas_20261124T105307Z")).isFalse();
    }

    @Test
    void customTemplate() {
        SnapshotNaming custom = new SnapshotNaming("bk", "t1", "{timestamp}-{prefix}.{target}");
        String name = custom.nameAt(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(name).isEqualTo("20260102T030405Z-bk.t1");
        assertThat(custom.isOurs(name)).isTrue();
        assertThat(custom.isOurs("20260102T030405Z-bkXt1")).isFalse();
    }

    @Test
    void rejectsBadParts() {
        assertThatThrownBy(() -> new SnapshotNaming("a b", "t", SnapshotNaming.DEFAULT_TEMPLATE))
                .hasMessageContaining("snapshot prefix");
        assertThatThrownBy(() -> new SnapshotNaming("p", "t", "{prefix}")).hasMessageContaining("{timestamp}");
        assertThatThrownBy(() -> new SnapshotNaming("p", "t", "{timestamp}")).hasMessageContaining("{prefix}");
    }

    @Test
    void aTargetIdCannotLookLikeAJobAndNoFamilyPatternMatchesAJobsSnapshots() {
        assertThatThrownBy(() -> new SnapshotNaming("zfs-sync", "job.home", SnapshotNaming.DEFAULT_TEMPLATE))
                .hasMessageContaining("must not start with 'job.'");
        SnapshotNaming job = SnapshotNaming.forJob("zfs-sync", "home", SnapshotNaming.DEFAULT_TEMPLATE);
        String jobSnapshot = job.nameAt(Instant.parse("2026-11-24T10:53:07Z"));
        assertThat(jobSnapshot).isEqualTo("zfs-sync_job.home_20261124T105307Z");
        assertThat(naming.familyOwnership().matcher(jobSnapshot).matches()).isFalse();
        assertThat(naming.jobOwnership().matcher(jobSnapshot).matches()).isTrue();
        assertThat(naming.familyOwnership().matcher("zfs-sync_other_20261124T105307Z").matches()).isTrue();
        assertThat(naming.jobOwnership().matcher("zfs-sync_other_20261124T105307Z").matches()).isFalse();
    }

    @Test
    void cursorsCarryTheGuidAndBelongOnlyToTheirTarget() {
        String cursor = naming.cursorName(0x33d02df53b84cb1eL);
        assertThat(cursor).isEqualTo("zfs-sync_nas_cursor_33d02df53b84cb1e");
        assertThat(naming.isOwnCursor(cursor)).isTrue();
        assertThat(naming.cursorName(5)).isEqualTo("zfs-sync_nas_cursor_0000000000000005");
        SnapshotNaming other = new SnapshotNaming("zfs-sync", "nas2", SnapshotNaming.DEFAULT_TEMPLATE);
        assertThat(other.isOwnCursor(cursor)).isFalse();
        assertThat(naming.isOwnCursor("zfs-sync_nas_cursor_33D02DF53B84CB1E")).isFalse();
        assertThat(naming.isOwnCursor("zfs-sync_nas_cursor_33d02df53b84cb1")).isFalse();
        assertThat(naming.isOwnCursor("mine")).isFalse();
    }
}
