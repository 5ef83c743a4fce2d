package org.zfssync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RestoreCommandTest {
    @Test
    void theSnapshotIsTheAtAfterTheHostNotTheUsersAt() {
        assertThat(RestoreCommand.split("backup@nas:pool/data@s1")).containsExactly("backup@nas:pool/data", "s1");
        assertThat(RestoreCommand.split("backup@nas:pool/data")).containsExactly("backup@nas:pool/data", null);
        assertThat(RestoreCommand.split("pool/data@s1")).containsExactly("pool/data", "s1");
        assertThat(RestoreCommand.split("pool/data")).containsExactly("pool/data", null);
        assertThat(RestoreCommand.split("nas:pool@s1")).containsExactly("nas:pool", "s1");
    }

    @Test
    void asOfTakesAnInstantAUtcDateTimeOrTheEndOfADay() {
        assertThat(RestoreCommand.parseTime("2026-11-24T10:00:00Z")).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
        assertThat(RestoreCommand.parseTime("2026-11-24T10:00")).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
        assertThat(RestoreCommand.parseTime("2026-11-24")).isEqualTo(Instant.parse("2026-11-24T23:59:59Z"));
        assertThatThrownBy(() -> RestoreCommand.parseTime("yesterday")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--as-of");
    }

    @Test
    void badRequestsAreOneLineUsageErrorsBeforeAnyHostIsReached() {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cli = ZfsSyncCommand.commandLine();
        cli.setErr(new java.io.PrintWriter(err));
        assertThat(cli.execute("restore", "pool/backup/data", "tank/new")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--as-of");
        assertThat(cli.execute("restore", "pool/backup/data@s1", "--as-of", "2026-11-24", "tank/new"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(cli.execute("restore", "pool/backup/data@s1", "--destroy-newer", "tank/new"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(cli.execute("restore", "pool/backup/data@bad/name", "tank/new")).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.execute("sync", "--on-diverged", "destroy", "tank/a", "pool/a")).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.execute("sync", "--on-diverged", "quarantine", "--rollback", "tank/a", "pool/a"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(cli.execute("sync", "--quarantine-keep", "soon", "tank/a", "pool/a")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("refuse, quarantine or rollback", "cannot be combined",
                "invalid --quarantine-keep");
    }
}
