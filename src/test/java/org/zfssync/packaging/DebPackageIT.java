package org.zfssync.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The .deb that mvn package built (failsafe, after package): its files and control fields, read with dpkg-deb. */
class DebPackageIT {
    private static Path deb;

    @BeforeAll
    static void findPackage() {
        deb = BuiltPackage.path();
    }

    private static String dpkgDeb(String... args) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of("dpkg-deb"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void shipsTheJarLauncherManPagesCompletionConfigUnitsAndDocs() throws Exception {
        String files = dpkgDeb("-c", deb.toString());
        for (String path : List.of("./usr/share/zfs-sync/zfs-sync.jar", "./usr/share/zfs-sync/classes.lst",
                "./usr/share/zfs-sync/build-cds", "./usr/bin/zfs-sync", "./usr/share/man/man1/zfs-sync.1.gz",
                "./usr/share/man/man1/zfs-sync-sync.1.gz", "./usr/share/man/man1/zfs-sync-allow.1.gz",
                "./usr/share/man/man1/zfs-sync-config-check.1.gz", "./usr/share/bash-completion/completions/zfs-sync",
                "./usr/share/zsh/vendor-completions/_zfs-sync", "./etc/zfs-sync/zfs-sync.yaml",
                "./lib/systemd/system/zfs-sync.service", "./lib/systemd/system/zfs-sync-run.service",
                "./lib/systemd/system/zfs-sync-run.timer", "./usr/share/doc/zfs-sync/copyright",
                "./usr/share/doc/zfs-sync/changelog.Debian.gz")) {
            assertThat(files).as(path).containsPattern("(?m) " + java.util.regex.Pattern.quote(path) + "$");
        }
        assertThat(files).containsPattern("(?m)^-rwxr-xr-x root/root .* \\./usr/bin/zfs-sync$");
    }

    @Test
    void controlFieldsNameTheRuntimeTheHelpersAndAVersionFromTheBuild() throws Exception {
        assertThat(dpkgDeb("-f", deb.toString(), "Depends").strip())
                .isEqualTo("openjdk-17-jre-headless | java17-runtime-headless");
        assertThat(dpkgDeb("-f", deb.toString(), "Recommends").strip()).isEqualTo("mbuffer, zstd, lz4, openssh-client");
        String version = dpkgDeb("-f", deb.toString(), "Version").strip();
        assertThat(version).matches("[0-9][0-9.]*(~[A-Z]+)?-1").doesNotContain("[[");
        assertThat(deb.getFileName().toString()).isEqualTo("zfs-sync_" + version + "_all.deb");
        Path control = Files.createTempDirectory("zfs-sync-control");
        dpkgDeb("-e", deb.toString(), control.toString());
        assertThat(Files.readString(control.resolve("conffiles")).strip()).isEqualTo("/etc/zfs-sync/zfs-sync.yaml");
        assertThat(Files.readString(control.resolve("postinst"))).contains("ZFS_SYNC_CREATE_USER", "update-state")
                .doesNotContain("deb-systemd-helper enable");
    }
}
