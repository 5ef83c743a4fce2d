package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.zfssync.packaging.BuiltPackage;

/**
 * The .deb that {@code mvn package} built, installed the way an admin installs it, on a machine
 * with real ZFS (the guest, which has no network: every dependency must already be there, as
 * on a server that has Java, mbuffer, zstd, lz4 and ssh): {@code apt install ./zfs-sync_*.deb},
 * the man page, bash completion, {@code config check} of the shipped example, a local sync, the
 * timer firing once and replicating, then {@code apt purge}, which removes the package's files but
 * never data, the run history or the edited conffile.
 *
 * <p>The guest boots from a fresh overlay per run, so what this installs there is gone afterwards.
 */
@ZfsLab
@Tag("install")
class PackageLabTest {
    private static final String DEB_IN_GUEST = "/root/zfs-sync-test.deb";

    @Test
    void aptInstallThenManCompletionConfigCheckSyncTimerAndPurge(LabFixture lab) {
        lab.guest().copyIn(BuiltPackage.path(), DEB_IN_GUEST);
        String src = lab.sourcePool() + "/data";
        sh(lab, "zfs create " + src);
        lab.writeRandom(src, "f", 2);

        LabGuest.LabResult install = lab.shResult("DEBIAN_FRONTEND=noninteractive apt-get install -y -q " + DEB_IN_GUEST);
        assertThat(install.exitCode()).as("apt install\n%s%s", install.stdout(), install.stderr()).isZero();

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(sh(lab, "dpkg-query -W -f '${Status}' zfs-sync")).isEqualTo("install ok installed");
        soft.assertThat(sh(lab, "command -v zfs-sync")).isEqualTo("/usr/bin/zfs-sync");
        soft.assertThat(sh(lab, "zfs-sync --version")).startsWith("zfs-sync ");
        soft.assertThat(sh(lab, "test -s /var/cache/zfs-sync/zfs-sync.jsa && echo archive")).as("class-data archive")
                .isEqualTo("archive");
        // man renders the page from the package (man-db, groff): the command's own synopsis.
        soft.assertThat(sh(lab, "MANWIDTH=100 man -P cat zfs-sync-sync 2>/dev/null"))
                .contains("SYNOPSIS", "zfs-sync sync", "--dry-run");
        // Bash completion as bash-completion loads it: the function the file registers for zfs-sync.
        String completion = sh(lab, "bash -c 'source /usr/share/bash-completion/completions/zfs-sync;"
                + " complete -p zfs-sync; COMP_WORDS=(zfs-sync sy); COMP_CWORD=1; _complete_zfs-sync 2>/dev/null;"
                + " echo \"sub:${COMPREPLY[*]}\"; COMP_WORDS=(zfs-sync sync --dry); COMP_CWORD=2;"
                + " _complete_zfs-sync 2>/dev/null; echo \"opt:${COMPREPLY[*]}\"'");
        soft.assertThat(completion).contains("-F _complete_zfs-sync zfs-sync", "sub:sync", "opt:--dry-run");
        soft.assertThat(sh(lab, "test -s /usr/share/zsh/vendor-completions/_zfs-sync && echo zsh")).isEqualTo("zsh");
        soft.assertAll();

        // The shipped example, as installed, is a valid config.
        LabGuest.LabResult check = lab.shResult("zfs-sync config check");
        assertThat(check.exitCode()).as("config check of the shipped example\n%s%s", check.stdout(), check.stderr())
                .isZero();
        assertThat(check.stdout()).contains("/etc/zfs-sync/zfs-sync.yaml: valid");

        LabGuest.LabResult sync = lab.shResult("zfs-sync sync " + src + " " + lab.targetPool() + "/local");
        assertThat(sync.exitCode()).as("local sync in the guest\n%s%s", sync.stdout(), sync.stderr()).isZero();
        assertThat(lab.checksum(lab.targetPool() + "/local")).isEqualTo(lab.checksumOfNewestSnapshot(src));

        // The timer fires once: the admin's config (which makes the conffile "edited") and a
        // drop-in that moves the timer to one second after it starts.
        String timed = lab.targetPool() + "/timer";
        String config = "jobs:\n  - name: installed\n    source: " + src + "\n    targets: [" + timed + "]\n";
        sh(lab, "printf %s '" + config + "' > /etc/zfs-sync/zfs-sync.yaml"
                + " && mkdir -p /etc/systemd/system/zfs-sync-run.timer.d"
                + " && printf '[Timer]\\nOnCalendar=\\nOnActiveSec=1s\\nRandomizedDelaySec=0\\nPersistent=false\\n'"
                + " > /etc/systemd/system/zfs-sync-run.timer.d/test.conf"
                + " && systemctl daemon-reload && systemctl start zfs-sync-run.timer");
        // Done when the service's main process has exited once (its exit timestamp is set) and the
        // unit is inactive again.
        String state = sh(lab, "for i in $(seq 150); do"
                + " s=$(systemctl show -p ExecMainExitTimestampMonotonic,ActiveState,Result,ExecMainStatus"
                + " zfs-sync-run.service | sort | tr '\\n' ' ');"
                + " case \"$s\" in *ActiveState=inactive*ExecMainExitTimestampMonotonic=[1-9]*) break;; esac;"
                + " sleep 2; done; echo \"$s\"");
        String journal = lab.shResult("journalctl -u zfs-sync-run.service --no-pager | tail -15").stdout();
        assertThat(state).as("zfs-sync-run.service after the timer fired; journal:\n%s", journal)
                .contains("ActiveState=inactive", "ExecMainStatus=0", "Result=success");
        assertThat(lab.checksum(timed)).as("what the timer's run replicated").isEqualTo(lab.checksumOfNewestSnapshot(src));
        assertThat(sh(lab, "zfs-sync history installed")).contains("success");
        sh(lab, "systemctl stop zfs-sync-run.timer && rm -r /etc/systemd/system/zfs-sync-run.timer.d"
                + " && systemctl daemon-reload");

        LabGuest.LabResult purge = lab.shResult("DEBIAN_FRONTEND=noninteractive apt-get purge -y -q zfs-sync");
        assertThat(purge.exitCode()).as("apt purge\n%s%s", purge.stdout(), purge.stderr()).isZero();
        SoftAssertions gone = new SoftAssertions();
        gone.assertThat(lab.shResult("dpkg-query -W zfs-sync").exitCode()).as("package known to dpkg").isNotZero();
        for (String path : List.of("/usr/bin/zfs-sync", "/usr/share/zfs-sync", "/var/cache/zfs-sync",
                "/usr/share/man/man1/zfs-sync.1.gz", "/usr/share/bash-completion/completions/zfs-sync",
                "/lib/systemd/system/zfs-sync.service", "/lib/systemd/system/zfs-sync-run.timer")) {
            gone.assertThat(lab.shResult("test -e " + path).exitCode()).as("%s after purge", path).isNotZero();
        }
        gone.assertThat(sh(lab, "systemctl list-unit-files 'zfs-sync*' --no-legend | wc -l")).as("units left")
                .isEqualTo("0");
        // Kept: the edited conffile (Debian policy), the run history, and every dataset.
        gone.assertThat(sh(lab, "cat /etc/zfs-sync/zfs-sync.yaml")).contains("name: installed");
        gone.assertThat(sh(lab, "test -s /var/lib/zfs-sync/history.db && echo kept")).isEqualTo("kept");
        gone.assertThat(lab.exists(timed)).as("the replicated dataset").isTrue();
        gone.assertThat(lab.checksum(timed)).isEqualTo(lab.checksumOfNewestSnapshot(src));
        gone.assertAll();
        sh(lab, "rm -rf /etc/zfs-sync /var/lib/zfs-sync " + DEB_IN_GUEST);
    }

    /** A guest command's output without its final newline. */
    private static String sh(LabFixture lab, String command) {
        return lab.sh(command).strip();
    }
}
