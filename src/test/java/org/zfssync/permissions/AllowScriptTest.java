package org.zfssync.permissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zfssync.zfs.DatasetName;

class AllowScriptTest {
    private final Required plain = PermissionModel.required(DelegationOptions.defaults());

    @Test
    void aPushFromRootToABackupUserPrintsTheTargetGrantAndTheKeyLine() {
        List<SideGrant> sides = List.of(
                SideGrant.source(AllowScript.THIS_MACHINE, DatasetName.of("tank/data"), "root", plain.source()),
                SideGrant.target("nas", DatasetName.of("pool/backup/data"), "backup", plain.target()));
        assertThat(AllowScript.lines(sides, "192.0.2.10", Optional.of("ssh-ed25519 AAAAC3Nz zfs-sync")))
                .containsExactly(
                        "# source: tank/data on this machine, user root: root needs no delegation (another user would "
                                + "need bookmark,destroy,hold,mount,release,send,snapshot)",
                        "# target: pool/backup/data on nas, user backup; on pool/backup, where the first sync creates "
                                + "it; as root there:",
                        "zfs allow -u backup create,destroy,mount,readonly,receive pool/backup",
                        "#   create    new datasets (zfs receive, zfs create -p of missing parents)",
                        "#   destroy   destroying its own older sync snapshots; zfs receive -A of a stale partial receive",
                        "#   mount     zfs receive and zfs destroy need mount as well",
                        "#   readonly  readonly=on on new targets (--writable-targets leaves it out)",
                        "#   receive   zfs receive of every stream",
                        "# nas: one line in ~backup/.ssh/authorized_keys (restrict: no forwarding, no pty)",
                        "restrict,from=\"192.0.2.10\" ssh-ed25519 AAAAC3Nz zfs-sync");
    }

    @Test
    void aPullGrantsOnTheSourceItselfAndANewTargetPoolRootOnItself() {
        SideGrant source = SideGrant.source("server", DatasetName.of("tank/data"), "backup", plain.source());
        SideGrant target = SideGrant.target(AllowScript.THIS_MACHINE, DatasetName.of("pool"), "backup", plain.target());
        assertThat(source.grantOn()).isEqualTo(DatasetName.of("tank/data"));
        assertThat(target.grantOn()).isEqualTo(DatasetName.of("pool"));
        List<String> lines = AllowScript.lines(List.of(source, target), "192.0.2.10", Optional.empty());
        assertThat(lines).contains("# source: tank/data on server, user backup; as root there:",
                "zfs allow -u backup bookmark,destroy,hold,mount,release,send,snapshot tank/data",
                "# target: pool on this machine, user backup; as root there:",
                "# server: one line in ~backup/.ssh/authorized_keys (restrict: no forwarding, no pty)",
                "restrict,from=\"192.0.2.10\" ssh-ed25519 AAAA... zfs-sync");
        assertThat(lines).filteredOn(l -> l.startsWith("restrict")).hasSize(1);
    }

    @Test
    void aDatasetNameIsQuotedByTheProjectsQuoting() {
        SideGrant odd = SideGrant.source("nas", DatasetName.of("tank/my data"), "backup", plain.source());
        assertThat(AllowScript.lines(List.of(odd), "192.0.2.10", Optional.empty()))
                .contains("zfs allow -u backup bookmark,destroy,hold,mount,release,send,snapshot 'tank/my data'");
    }

    @Test
    void propsAddsTheNoteAboutNativeProperties() {
        Required props = PermissionModel.required(new DelegationOptions(true, false, true, false, false, true,
                java.util.Set.of(), java.util.Set.of()));
        List<String> lines = AllowScript.lines(List.of(SideGrant.target("nas", DatasetName.of("pool/b"), "backup",
                props.target())), "192.0.2.10", Optional.empty());
        assertThat(lines).anyMatch(l -> l.contains("-p: add each native property"));
    }

    @Test
    void aUserNameAShellCouldReadIsRefused() {
        assertThatThrownBy(() -> SideGrant.checkUser("backup;rm")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid user name 'backup;rm'");
        assertThatThrownBy(() -> SideGrant.checkUser("-o")).hasMessageContaining("invalid user name");
        assertThat(SideGrant.checkUser("zfs-sync")).isEqualTo("zfs-sync");
    }
}
