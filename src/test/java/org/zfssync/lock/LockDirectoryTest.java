package org.zfssync.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockDirectoryTest {
    @Test
    void rootAlwaysUsesRunWhateverTheEnvironment() {
        Path cron = LockDirectory.location(0, "root", Map.of());
        Path login = LockDirectory.location(0, "root", Map.of("XDG_RUNTIME_DIR", "/run/user/0"));
        assertThat(cron).isEqualTo(login).isEqualTo(Path.of("/run/zfs-sync"));
    }

    @Test
    void othersUseOneDirectoryWhateverTheEnvironment() {
        // Cron has no XDG_RUNTIME_DIR, a login has /run/user/UID: both must see each other's locks.
        Path cron = LockDirectory.location(1000, "alice", Map.of());
        Path login = LockDirectory.location(1000, "alice", Map.of("XDG_RUNTIME_DIR", "/run/user/1000"));
        assertThat(cron).isEqualTo(login).isEqualTo(Path.of("/tmp/zfs-sync-alice"));
    }

    @Test
    void aDirectoryOfAnotherUserOrALinkIsRefused(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> LockDirectory.checkOwner(dir, true, 1001, 1000))
                .hasMessageContaining("belongs to uid 1001").hasMessageContaining("uid 1000");
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir);
        assertThatThrownBy(() -> LockDirectory.prepare(link)).hasMessageContaining("symbolic link");
    }

    @Test
    void itIsCreatedForTheOwnerOnlyAndTightenedWhenLooser(@TempDir Path dir) throws IOException {
        Path created = dir.resolve("a/zfs-sync");
        LockDirectory.prepare(created);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created))).isEqualTo("rwx------");
        Path loose = Files.createDirectory(dir.resolve("loose"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rwxrwxrwx"));
        LockDirectory.prepare(loose);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(loose))).isEqualTo("rwx------");
    }
}
