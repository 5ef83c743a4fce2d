package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** ssh keeps the first value it sees for an option: the user's must come first, and replace ours. */
class SshOptionsTest {
    private static SshOptions withOptions(String... options) {
        return new SshOptions(Optional.empty(), Optional.empty(), Optional.empty(), List.of(options));
    }

    @Test
    void withoutUserChoicesZfsSyncsDefaultsApply() {
        assertThat(SshOptions.defaults().argv()).containsExactly("-o", "BatchMode=yes", "-o", "ServerAliveInterval=15",
                "-o", "ServerAliveCountMax=4", "-o", "ConnectTimeout=30");
    }

    @Test
    void theUsersOptionsComeFirstAndReplaceTheDefaultOfTheSameName() {
        List<String> argv = new SshOptions(Optional.of(2222), Optional.of(Path.of("/k/id")), Optional.of(Path.of("/k/cfg")),
                List.of("ConnectTimeout=5", "StrictHostKeyChecking=yes")).argv();
        assertThat(argv).containsExactly("-F", "/k/cfg", "-p", "2222", "-i", "/k/id", "-o", "ConnectTimeout=5",
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ServerAliveInterval=15",
                "-o", "ServerAliveCountMax=4");
    }

    @Test
    void optionNamesMatchWhateverTheirCaseOrSeparator() {
        assertThat(withOptions("connecttimeout=5").argv()).doesNotContain("ConnectTimeout=30");
        assertThat(withOptions("ServerAliveInterval 5").argv()).doesNotContain("ServerAliveInterval=15")
                .contains("ServerAliveInterval 5");
        assertThat(withOptions(" SERVERALIVECOUNTMAX = 2").argv()).doesNotContain("ServerAliveCountMax=4");
        assertThat(withOptions("ConnectTimeoutX=5").argv()).as("only the same name").contains("ConnectTimeout=30");
    }

    @Test
    void batchModeStaysUnlessTheUserSetsIt() {
        assertThat(withOptions("LogLevel=ERROR").argv()).contains("BatchMode=yes");
        assertThat(withOptions("BatchMode=no").argv()).doesNotContain("BatchMode=yes").contains("BatchMode=no");
    }

    @Test
    void optionsZfsSyncManagesItselfAreRefusedWithOneLine() {
        assertThatThrownBy(() -> withOptions("ControlPath=/tmp/cm-%C")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ControlPath=/tmp/cm-%C").hasMessageContaining("remove it").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> withOptions("controlmaster no")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> withOptions("=yes")).hasMessageContaining("has no name");
    }

    @Test
    void commandTimeoutDefaultsToTenMinutesAndMustBePositive() {
        assertThat(SshOptions.defaults().commandTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(SshOptions.defaults().withCommandTimeout(Duration.ofSeconds(5)).commandTimeout()).hasSeconds(5);
        assertThatThrownBy(() -> SshOptions.defaults().withCommandTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    }
}
