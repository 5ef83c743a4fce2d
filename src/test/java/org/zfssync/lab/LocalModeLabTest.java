package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * zfs-sync running inside the guest, where ZFS is local: local→local, push to a remote (the
 * guest's own sshd as "localhost") and pull from it. The host-side tests cover remote→remote.
 */
@ZfsLab
@Tag("smoke")
class LocalModeLabTest {
    @Test
    void localToLocalPushAndPullInsideTheGuest(LabFixture lab) {
        lab.guest().copyIn(LabFixture.jar(), "/root/zfs-sync.jar");
        String src = lab.sourcePool() + "/data";
        lab.sh("zfs create " + src + " && zfs create " + src + "/child");
        lab.writeRandom(src, "f", 2);
        lab.writeRandom(src + "/child", "g", 1);
        String java = "java -Xshare:auto -XX:TieredStopAtLevel=1 -jar /root/zfs-sync.jar sync ";

        LabGuest.LabResult local = lab.shResult(java + "-r " + src + " " + lab.targetPool() + "/local");
        assertThat(local.exitCode()).as(local.stdout() + local.stderr()).isZero();
        assertThat(lab.checksum(lab.targetPool() + "/local/child"))
                .isEqualTo(lab.checksumOfNewestSnapshot(src + "/child"));

        LabGuest.LabResult push = lab.shResult(java + "-r " + src + " root@localhost:" + lab.targetPool() + "/pushed");
        assertThat(push.exitCode()).as(push.stdout() + push.stderr()).isZero();
        assertThat(lab.checksum(lab.targetPool() + "/pushed")).isEqualTo(lab.checksumOfNewestSnapshot(src));

        LabGuest.LabResult pull = lab.shResult(java + "root@localhost:" + src + " " + lab.targetPool() + "/pulled");
        assertThat(pull.exitCode()).as(pull.stdout() + pull.stderr()).isZero();
        assertThat(lab.checksum(lab.targetPool() + "/pulled")).isEqualTo(lab.checksumOfNewestSnapshot(src));

        lab.writeRandom(src, "h", 1);
        LabGuest.LabResult again = lab.shResult(java + "-r " + src + " " + lab.targetPool() + "/local");
        assertThat(again.exitCode()).as(again.stdout() + again.stderr()).isZero();
        assertThat(again.stdout()).contains("1 replicated", "1 up to date");
    }
}
