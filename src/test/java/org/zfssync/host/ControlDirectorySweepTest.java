package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGKILLed run leaves its socket directory and a ControlPersist master behind; the next run
 * stops that master and removes the directory, and never touches a live run's.
 */
class ControlDirectorySweepTest {
    /** Above Linux's pid_max (4194304) and FreeBSD's (99999): no process has it. */
    private static final long DEAD_PID = 99_999_999L;
    @TempDir
    Path runtime;
    @TempDir
    Path bin;
    private Path ssh;
    private Path log;

    /** A stand-in for ssh that records how it was called. */
    @BeforeEach
    void fakeSsh() throws IOException {
        log = bin.resolve("ssh.log");
        ssh = bin.resolve("ssh");
        Files.writeString(ssh, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + log + "'\n");
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
    }

    private Path runDirectory(String name, String pid) throws IOException {
        Path dir = Files.createDirectory(runtime.resolve(name));
        if (pid != null) {
            Files.writeString(dir.resolve(ControlDirectory.PID_FILE), pid + "\n");
        }
        return dir;
    }

    /** A real unix socket, as a ControlMaster leaves one (nothing listens on it any more). */
    private static Path socket(Path dir, String name) throws IOException {
        Path path = dir.resolve(name);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
        }
        return path;
    }

    private List<String> sshCalls() throws IOException {
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    }

    @Test
    void aDeadRunsMasterIsToldToExitAndItsDirectoryRemoved() throws IOException {
        Path dead = runDirectory("zfs-sync-ctl-111", Long.toString(DEAD_PID));
        Path socket = socket(dead, "0123abcd");
        ControlDirectory fresh = ControlDirectory.create(runtime, ssh.toString());
        try {
            assertThat(sshCalls()).containsExactly("-O exit -o ControlPath=" + socket + " x");
            assertThat(dead).doesNotExist();
        } finally {
            fresh.close();
        }
    }

    @Test
    void aLiveRunsDirectoryIsLeftAlone() throws IOException {
        Path live = runDirectory("zfs-sync-ctl-222", Long.toString(ProcessHandle.current().pid()));
        socket(live, "0123abcd");
        ControlDirectory.create(runtime, ssh.toString()).close();
        assertThat(live.resolve("0123abcd")).exists();
        assertThat(sshCalls()).isEmpty();
    }

    @Test
    void withoutAReadablePidFileADirectoryIsNeverRemovedHoweverOld() throws IOException {
        Path old = runDirectory("zfs-sync-ctl-old", null);
        Path garbled = runDirectory("zfs-sync-ctl-garbled", "not a pid");
        FileTime lastYear = FileTime.from(Instant.now().minusSeconds(365L * 24 * 3600));
        Files.setLastModifiedTime(old, lastYear);
        Files.setLastModifiedTime(garbled, lastYear);
        ControlDirectory.create(runtime, ssh.toString()).close();
        assertThat(old).exists();
        assertThat(garbled).exists();
    }

    @Test
    void anotherToolsDirectoryWithADeadPidIsNotSwept() throws IOException {
        // The lab's own run directory (ssh config, qemu logs) is named zfs-sync-lab-*: never ours to remove.
        Path lab = runDirectory("zfs-sync-lab-123", Long.toString(DEAD_PID));
        ControlDirectory.create(runtime, ssh.toString()).close();
        assertThat(lab).exists();
    }

    @Test
    void onlyZfsSyncDirectoriesAreSwept() throws IOException {
        Path other = runDirectory("other-333", Long.toString(DEAD_PID));
        ControlDirectory.create(runtime, ssh.toString()).close();
        assertThat(other).exists();
    }

    @Test
    void aNewDirectoryIsPrivateAndNamesItsOwner() throws IOException {
        ControlDirectory dir = ControlDirectory.create(runtime, ssh.toString());
        try {
            assertThat(Files.getPosixFilePermissions(dir.path())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(Files.readString(dir.path().resolve(ControlDirectory.PID_FILE)).strip())
                    .isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThat(dir.path().getFileName().toString()).startsWith(ControlDirectory.PREFIX);
        } finally {
            dir.close();
        }
        assertThat(dir.path()).doesNotExist();
    }

    @Test
    void closingAnAlreadyRemovedDirectoryIsNotAnError() throws IOException {
        ControlDirectory dir = ControlDirectory.create(runtime, ssh.toString());
        Files.delete(dir.path().resolve(ControlDirectory.PID_FILE));
        Files.delete(dir.path());
        assertThatCode(dir::close).doesNotThrowAnyException();
        assertThatCode(dir::close).doesNotThrowAnyException();
    }
}
