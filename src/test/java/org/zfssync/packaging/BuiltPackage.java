package org.zfssync.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The .deb that {@code mvn package} built before failsafe runs: read by DebPackageIT, installed by PackageLabTest. */
public final class BuiltPackage {
    private BuiltPackage() {
    }

    /** {@code target/zfs-sync_*_all.deb}; fails the test unless there is exactly one. */
    public static Path path() {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            List<Path> debs = files.filter(p -> p.getFileName().toString().matches("zfs-sync_.*_all\\.deb")).toList();
            assertThat(debs).as("one zfs-sync_*_all.deb in target/ (built by mvn package)").hasSize(1);
            return debs.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
