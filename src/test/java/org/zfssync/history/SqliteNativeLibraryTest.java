package org.zfssync.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite's native library is placed once beside the history, never left in the temp directory by a killed run. */
class SqliteNativeLibraryTest {
    @TempDir
    Path dir;

    @Test
    void theLibraryIsPlacedOnceBesideTheDatabaseAndSqliteJdbcIsPointedAtIt() throws Exception {
        String path = System.getProperty("org.sqlite.lib.path");
        String name = System.getProperty("org.sqlite.lib.name");
        try {
            System.clearProperty("org.sqlite.lib.path");
            System.clearProperty("org.sqlite.lib.name");
            SqliteNativeLibrary.prepare(dir.resolve("history.db"));
            Path placed = Path.of(System.getProperty("org.sqlite.lib.path"))
                    .resolve(System.getProperty("org.sqlite.lib.name"));
            assertThat(placed).startsWith(dir.resolve(".sqlite-native")).isRegularFile();
            assertThat(Files.size(placed)).isGreaterThan(100_000);
            long modified = Files.getLastModifiedTime(placed).toMillis();
            System.clearProperty("org.sqlite.lib.path");
            SqliteNativeLibrary.prepare(dir.resolve("history.db"));
            assertThat(Files.getLastModifiedTime(placed).toMillis()).as("reused, not written again")
                    .isEqualTo(modified);
            try (var files = Files.list(placed.getParent())) {
                assertThat(files).as("no partial copies").containsExactly(placed);
            }
        } finally {
            restore("org.sqlite.lib.path", path);
            restore("org.sqlite.lib.name", name);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
