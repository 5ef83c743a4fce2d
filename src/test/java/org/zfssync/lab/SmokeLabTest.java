package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The basics every other lab test relies on, proven on the guest's real OpenZFS. */
@ZfsLab
@Tag("smoke")
class SmokeLabTest {
    /** The test's own name carries the OpenZFS version, so every report says what it ran on. */
    @TestFactory
    Stream<DynamicTest> openZfsVersion(LabGuest guest) {
        String variant = System.getProperty("zfs.lab.variant", "2.3");
        return Stream.of(DynamicTest.dynamicTest("runs on OpenZFS " + guest.zfsVersion(),
                () -> assertThat(guest.zfsVersion()).startsWith("zfs-" + variant + ".")));
    }

    @Test
    void poolCreateAndDestroy(LabFixture lab) {
        String pool = "smoke" + ProcessHandle.current().pid();
        lab.guest().createPool(pool, 256);
        assertThat(lab.sh("zpool list -H -o name,health " + pool)).startsWith(pool + "\tONLINE");
        lab.guest().destroyPool(pool);
        assertThat(lab.shResult("zpool list " + pool).exitCode()).isNotZero();
    }

    @Test
    void sendReceiveThroughTheForwardedSsh(LabFixture lab) throws Exception {
        String src = lab.sourcePool() + "/data";
        String dst = lab.targetPool() + "/data";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "blob", 16);
        lab.sh("zfs snapshot " + src + "@one");
        String cfg = lab.guest().sshConfig().toString();
        int exit = hostShell("set -o pipefail; ssh -F " + cfg + " zfslab-src 'zfs send " + src + "@one' | ssh -F "
                + cfg + " zfslab-dst 'zfs receive " + dst + "'");
        assertThat(exit).isZero();
        assertThat(lab.checksum(dst)).isEqualTo(lab.checksum(src));
    }

    @Test
    void interruptedReceiveResumesWithToken(LabFixture lab) {
        String src = lab.sourcePool() + "/data";
        String dst = lab.targetPool() + "/data";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "blob", 24);
        lab.sh("zfs snapshot " + src + "@one");
        LabGuest.LabResult cut = lab.shResult("zfs send " + src + "@one | head -c 6000000 | zfs receive -s " + dst);
        assertThat(cut.exitCode()).isNotZero();
        String token = lab.sh("zfs get -H -o value receive_resume_token " + dst).strip();
        assertThat(token).startsWith("1-").hasSizeGreaterThan(100);
        lab.sh("zfs send -t " + token + " | zfs receive -s " + dst);
        assertThat(lab.sh("zfs get -H -o value receive_resume_token " + dst).strip()).isEqualTo("-");
        assertThat(lab.checksum(dst)).isEqualTo(lab.checksum(src));
    }

    @Test
    void holdsBlockDestroyAndBookmarksServeAsIncrementalSource(LabFixture lab) {
        String src = lab.sourcePool() + "/data";
        String dst = lab.targetPool() + "/data";
        lab.sh("zfs create " + src + " && zfs snapshot " + src + "@one && zfs send " + src + "@one | zfs receive " + dst);
        lab.sh("zfs hold keep " + src + "@one");
        assertThat(lab.shResult("zfs destroy " + src + "@one").exitCode()).isNotZero();
        assertThat(lab.sh("zfs holds -H " + src + "@one")).contains("keep");
        lab.sh("zfs bookmark " + src + "@one " + src + "#one && zfs release keep " + src + "@one && zfs destroy "
                + src + "@one");
        lab.writeRandom(src, "more", 2);
        lab.sh("zfs snapshot " + src + "@two && zfs send -i " + src + "#one " + src + "@two | zfs receive " + dst);
        assertThat(lab.snapshots(dst)).containsExactly("one", "two");
        assertThat(lab.checksum(dst)).isEqualTo(lab.checksum(src));
    }

    private static int hostShell(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        if (exit != 0) {
            System.out.println(out);
        }
        return exit;
    }
}
