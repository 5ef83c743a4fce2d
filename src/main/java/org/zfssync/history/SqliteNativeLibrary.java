package org.zfssync.history;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * Where SQLite's native library is loaded from. By default sqlite-jdbc copies it into the temp
 * directory under a new random name at every start and deletes it at a clean exit: every
 * zfs-sync killed by SIGKILL or the OOM killer would leave a megabyte in /tmp for good. Instead
 * it is placed once per version beside the history database ({@code .sqlite-native/VERSION/}),
 * written to a temporary name and renamed, so concurrent first starts never see half a file, and
 * reused by every later run.
 */
final class SqliteNativeLibrary {
    /** sqlite-jdbc's own switches: a directory and a file name it loads from before extracting anything. */
    private static final String PATH_PROPERTY = "org.sqlite.lib.path";
    private static final String NAME_PROPERTY = "org.sqlite.lib.name";

    private SqliteNativeLibrary() {
    }

    /**
     * Points sqlite-jdbc at the library beside {@code database}, placing it there first if needed.
     * Does nothing when the user (or an earlier call) already chose a library, or when the jar
     * has none for this platform (sqlite-jdbc then finds its own way, or says why not).
     */
    static synchronized void prepare(Path database) {
        if (System.getProperty(PATH_PROPERTY) != null) {
            return;
        }
        String resource = LibraryLoaderUtil.getNativeLibResourcePath();
        String name = LibraryLoaderUtil.getNativeLibName();
        if (!LibraryLoaderUtil.hasNativeLib(resource, name)) {
            return;
        }
        Path parent = database.toAbsolutePath().getParent();
        if (parent == null) {
            return;
        }
        Path dir = parent.resolve(".sqlite-native")
                .resolve(SQLiteJDBCLoader.getVersion() + resource.replace("/org/sqlite/native", "").replace('/', '-'));
        Path library = dir.resolve(name);
        try {
            if (!Files.isRegularFile(library)) {
                Files.createDirectories(dir);
                Path partial = Files.createTempFile(dir, name, ".partial");
                try (InputStream in = SqliteNativeLibrary.class.getResourceAsStream(resource + "/" + name)) {
                    if (in == null) {
                        Files.deleteIfExists(partial);
                        return;
                    }
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            return; // a read-only place: sqlite-jdbc extracts to the temp directory as it would anyway
        }
        System.setProperty(PATH_PROPERTY, dir.toString());
        System.setProperty(NAME_PROPERTY, name);
    }
}
