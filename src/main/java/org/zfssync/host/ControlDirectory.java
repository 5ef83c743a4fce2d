package org.zfssync.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A private directory (mode 0700, owned by this run) for ssh ControlMaster sockets. A fresh one
 * per run means parallel runs never share or collide on a socket, and no other user can reach
 * ours (the hijack risk of sockets in a shared /tmp). Removed when the run ends.
 *
 * <p>A run that was SIGKILLed cannot remove its directory, and its masters (ControlPersist) keep
 * their connections open for minutes. So the directory holds its owner's PID, and each new run
 * first sweeps the directories of this user's dead runs: it asks each master left there to exit,
 * then removes the directory.
 */
public final class ControlDirectory implements AutoCloseable {
    /** Distinct from every other directory name anything else (the lab, a user) makes with "zfs-sync-". */
    static final String PREFIX = "zfs-sync-ctl-";
    static final String PID_FILE = "pid";
    /** For each {@code ssh -O exit}: a wedged master must not hold up the new run for long. */
    static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);
    private final Path path;

    private ControlDirectory(Path path) {
        this.path = path;
    }

    public static ControlDirectory create() {
        // XDG_RUNTIME_DIR is per user and not world-readable; /tmp is the fallback. Short
        // paths matter: a unix socket path is limited to about 108 bytes.
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        Path parent = runtime != null && Files.isDirectory(Paths.get(runtime)) ? Paths.get(runtime) : Paths.get("/tmp");
        return create(parent, "ssh");
    }

    /** Sweeps dead runs' directories under {@code parent}, then creates this run's, using {@code ssh} to stop masters. */
    static ControlDirectory create(Path parent, String ssh) {
        sweep(parent, ssh);
        Path dir = null;
        // A short random name: a socket path (this directory, ssh's 40-character %C and the 17 characters
        // ssh adds while binding) must stay under 108 bytes even below a long /run/user/UID. It needs no
        // secrecy: mkdir fails on any existing name (or link), and the directory is 0700.
        for (int attempt = 0; dir == null; attempt++) {
            Path candidate = parent.resolve(PREFIX + String.format("%08x", java.util.concurrent.ThreadLocalRandom.current().nextInt()));
            try {
                dir = Files.createDirectory(candidate,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw new UncheckedIOException("cannot find a free name for a control directory in " + parent, e);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a private directory for ssh control sockets in " + parent,
                        e);
            }
        }
        ControlDirectory created = new ControlDirectory(dir);
        try {
            Files.writeString(dir.resolve(PID_FILE), ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            created.close();
            throw new UncheckedIOException("cannot write the owner of ssh control directory " + dir, e);
        }
        return created;
    }

    /** Stops the masters of, and removes, every directory under {@code parent} left by a dead run of this user. */
    static void sweep(Path parent, String ssh) {
        UserPrincipal me;
        try {
            me = parent.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name"));
        } catch (IOException | UnsupportedOperationException e) {
            return; // Who we are is unknown here, so nothing can be known to be ours.
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path dir : dirs) {
                if (isAbandoned(dir, me)) {
                    release(dir, ssh);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // An unreadable parent has nothing we could sweep; a new directory is still possible.
        }
    }

    /** Ours (our name, our user, our PID file), a real directory, and its owner is gone. */
    private static boolean isAbandoned(Path dir, UserPrincipal me) {
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !me.equals(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS))) {
                return false;
            }
            Optional<Long> pid = ownerPid(dir);
            if (pid.isPresent()) {
                return ProcessHandle.of(pid.get()).map(h -> !h.isAlive()).orElse(true);
            }
            // Without the PID file it is not provably one of ours (or its owner is still writing it): never removed.
            return false;
        } catch (IOException e) {
            return false; // Gone meanwhile, or not readable by us: not ours to remove.
        }
    }

    private static Optional<Long> ownerPid(Path dir) throws IOException {
        Path file = dir.resolve(PID_FILE);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip()));
        } catch (NumberFormatException e) {
            return Optional.empty(); // Half-written or garbage: judged by age like a missing one.
        }
    }

    /** Asks each master in the directory to exit (ignoring failures: most are long dead), then removes it. */
    private static void release(Path dir, String ssh) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (attributes.isOther()) { // a socket: the only non-regular file ssh leaves here
                    List<String> argv = List.of(ssh, "-O", "exit", "-o", "ControlPath=" + entry, "x");
                    try {
                        Processes.run(Command.changing(argv), LocalHost.NAME, argv, EXIT_TIMEOUT);
                    } catch (HostUnreachableException e) {
                        // No ssh to ask: the directory still goes.
                    }
                }
            }
        } catch (IOException e) {
            // Gone meanwhile, or unreadable: removal below does what it can.
        }
        try {
            delete(dir);
        } catch (IOException e) {
            // Another run may be sweeping it too; the next run tries again.
        }
    }

    public Path path() {
        return path;
    }

    /** Removes the directory; one already gone (removed, or swept by another run) is not an error. */
    @Override
    public void close() {
        try {
            delete(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove ssh control directory " + path, e);
        }
    }

    /** Deletes a tree without following links; what vanishes meanwhile is already done. */
    private static void delete(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
