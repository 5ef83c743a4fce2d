package org.zfssync.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device script run by a real {@code sh} with a stand-in {@code zfs} on the PATH: the snapdev
 * it made visible is restored even when zfs-sync is gone (killed, timed out) before the hash is
 * printed, which the remote shell only notices as a broken pipe.
 */
class DeepCheckScriptTest {
    @TempDir
    Path dir;

    @Test
    void snapdevIsRestoredWhenTheReaderOfTheHashIsGone() throws IOException, InterruptedException {
        Path log = dir.resolve("log");
        Path go = dir.resolve("go");
        // Setting snapdev waits until the test has closed the script's output, as a dead client would.
        Path zfs = dir.resolve("zfs");
        Files.writeString(zfs, "#!/bin/sh\necho \"$*\" >> '" + log + "'\n"
                + "if [ \"$1\" = set ]; then i=0; while [ ! -e '" + go + "' ] && [ $i -lt 200 ]; do sleep 0.05; "
                + "i=$((i+1)); done; fi\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(zfs, PosixFilePermissions.fromString("rwx------"));
        Path device = Files.writeString(dir.resolve("device"), "volume content", StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", DeepCheck.DEVICE_SCRIPT, "zfs-sync-verify", device.toString(),
                "pool/vol", "inherit", "hidden").redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PATH", dir + ":" + System.getenv("PATH"));
        Process p = pb.start();
        p.getInputStream().close();
        Files.writeString(go, "");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readAllLines(log)).containsExactly("set snapdev=visible pool/vol", "inherit snapdev pool/vol");
    }
}
