package org.zfssync.zfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class AsideNamesTest {
    private static final Instant AT = Instant.parse("2026-11-24T10:00:07.900Z");

    @Test
    void nameIsTheOriginalWithKindAndUtcSecond() {
        assertThat(AsideNames.name(DatasetName.of("pool/x"), AsideNames.Kind.DIVERGED, AT).value())
                .isEqualTo("pool/x.zfs-sync-diverged-20261124T100007Z");
        assertThat(AsideNames.name(DatasetName.of("pool/a/b"), AsideNames.Kind.REPLACED, AT).value())
                .isEqualTo("pool/a/b.zfs-sync-replaced-20261124T100007Z");
    }

    @Test
    void parsesWhatItNamesBackToOriginalKindAndTime() {
        for (AsideNames.Kind kind : AsideNames.Kind.values()) {
            DatasetName name = AsideNames.name(DatasetName.of("pool/data.v2"), kind, AT);
            AsideNames.Aside a = AsideNames.parse(name).orElseThrow();
            assertThat(a.original()).isEqualTo(DatasetName.of("pool/data.v2"));
            assertThat(a.kind()).isEqualTo(kind);
            assertThat(a.at()).isEqualTo(Instant.parse("2026-11-24T10:00:07Z"));
            assertThat(a.name()).isEqualTo(name);
        }
    }

    @Test
    void namesThatOnlyLookAlikeAreNotOurs() {
        for (String name : new String[] {
            "pool/x", "pool/x.zfs-sync-diverged-20261124T1000Z", "pool/x.zfs-sync-diverged-20261124T100007Z.copy",
            "pool/x.zfs-sync-diverged-20261324T100007Z", "pool/x.zfs-sync-diverged-20261131T100007Z",
            "pool/x.zfs-sync-diverged-20261124T250007Z", "pool/x.zfs-sync-moved-20261124T100007Z",
            "pool/x.zfs-sync-Diverged-20261124T100007Z", "pool/.zfs-sync-diverged-20261124T100007Z",
            "pool/x.zfs-sync-diverged-20261124t100007z", "pool/x-zfs-sync-diverged-20261124T100007Z",
            "pool.zfs-sync-diverged-20261124T100007Z"}) {
            assertThat(AsideNames.parse(DatasetName.of(name))).as(name).isEmpty();
        }
    }

    @Test
    void asideOrInsideLooksOnlyBelowTheRoot() {
        DatasetName root = DatasetName.of("pool/backup");
        assertThat(AsideNames.isAsideOrInside(DatasetName.of("pool/backup/a.zfs-sync-diverged-20261124T100007Z"),
                root)).isTrue();
        assertThat(AsideNames.isAsideOrInside(DatasetName.of("pool/backup/a.zfs-sync-diverged-20261124T100007Z/b/c"),
                root)).isTrue();
        assertThat(AsideNames.isAsideOrInside(DatasetName.of("pool/backup/a/b"), root)).isFalse();
        DatasetName asideRoot = DatasetName.of("pool/backup.zfs-sync-replaced-20261124T100007Z");
        assertThat(AsideNames.isAsideOrInside(asideRoot, asideRoot)).as("a root the user named is taken as given")
                .isFalse();
        assertThat(AsideNames.isAsideOrInside(asideRoot.resolve("child"), asideRoot)).isFalse();
    }
}
