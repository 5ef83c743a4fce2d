package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshHostDataConnectionTest {
    @TempDir
    Path runtime;

    private static String option(List<String> argv, String name) {
        for (int i = 0; i + 1 < argv.size(); i++) {
            if (argv.get(i).equals("-o") && argv.get(i + 1).startsWith(name + "=")) {
                return argv.get(i + 1).substring(name.length() + 1);
            }
        }
        return null;
    }

    @Test
    void eachKeptDataConnectionHasItsOwnMasterApartFromTheControlOne() {
        try (ControlDirectory dir = ControlDirectory.create(runtime, "true")) {
            SshHost host = new SshHost("backup@nas", SshOptions.defaults(), dir, (h, d, s) -> { });
            List<String> control = host.controlArgv("zfs list");
            List<String> first = host.dataArgv("zfs receive x", 0);
            List<String> second = host.dataArgv("zfs receive y", 1);
            assertThat(option(first, "ControlMaster")).isEqualTo("auto");
            assertThat(option(first, "ControlPersist")).isNotNull();
            assertThat(option(first, "ControlPath")).startsWith(dir.path().toString() + "/")
                    .isNotEqualTo(option(second, "ControlPath")).isNotEqualTo(option(control, "ControlPath"));
            assertThat(first.subList(first.size() - 2, first.size())).containsExactly("backup@nas", "zfs receive x");
        }
    }
}
