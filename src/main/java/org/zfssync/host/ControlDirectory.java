package org.zfssync.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A private directory (mode 0700, owned by this run) for ssh ControlMaster sockets. A fresh one
 * per run means parallel runs never share or collide on a socket, and no other user can reach
 * ours (the hijack risk of sockets in a shared /tmp). Removed when the run ends.
 */
public final class ControlDirectory implements AutoCloseable {
    private final Path path;

    private ControlDirectory(Path path) {
        this.path = path;
    }

    public static ControlDirectory create() {
        // XDG_RUNTIME_DIR is per user and not world-readable; /tmp is the fallback. Short
        // paths matter: a unix socket path is limited to about 108 bytes.
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        Path parent = runtime != null && Files.isDirectory(Paths.get(runtime)) ? Paths.get(runtime) : Paths.get("/tmp");
        try {
            return new ControlDirectory(Files.createTempDirectory(parent, "zfs-sync-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a private directory for ssh control sockets in " + parent, e);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove ssh control directory " + path, e);
        }
    }
}
