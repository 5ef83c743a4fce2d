package org.zfssync.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandNotifierTest {
    private static final Alert ALERT = new Alert(Alert.Kind.RECOVERY, "vms", "nas:pool/vm", "it's fine; really",
            Instant.parse("2026-06-01T10:00:00Z"));

    @TempDir
    Path dir;

    @Test
    void runsTheCommandWithTheAlertInItsEnvironment() throws Exception {
        Path out = dir.resolve("out");
        Path script = Files.writeString(dir.resolve("notify.sh"), """
                printf '%s|%s|%s|%s|%s\\n' "$ZFS_SYNC_ALERT" "$ZFS_SYNC_JOB" "$ZFS_SYNC_TARGET" "$ZFS_SYNC_MESSAGE" \
                "$ZFS_SYNC_AT" > "$1"
                """);
        new CommandNotifier("sh " + script + " " + out, Duration.ofSeconds(10)).send(ALERT);
        assertThat(Files.readString(out)).isEqualTo("RECOVERY|vms|nas:pool/vm|it's fine; really|2026-06-01T10:00:00Z\n");
    }

    @Test
    void aFailingCommandIsReportedWithItsLastLine() {
        assertThatThrownBy(() -> new CommandNotifier("echo no route to pager >&2; exit 3", Duration.ofSeconds(10))
                .send(ALERT)).isInstanceOf(NotificationFailedException.class)
                .hasMessageEndingWith("failed: exit 3: no route to pager");
    }
}
