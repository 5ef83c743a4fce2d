package org.zfssync.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * One run of a job at a time: an OS file lock on {@code DIR/JOB.lock}, holding the PID of its
 * owner. The OS releases it when the process dies, so a crash never leaves a stale lock behind.
 */
public final class JobLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private JobLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Another run holds the lock. */
    public static final class HeldException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HeldException(String job, String holder, Path file) {
            super("job '" + job + "' is already running (pid " + holder + ", lock " + file + "); not starting it twice");
        }
    }

    /** The runtime directory: $XDG_RUNTIME_DIR/zfs-sync, /run/zfs-sync for root, else the temp directory. */
    public static Path defaultDirectory() {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "zfs-sync");
        }
        if ("root".equals(System.getProperty("user.name")) && Files.isDirectory(Path.of("/run"))) {
            return Path.of("/run/zfs-sync");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "zfs-sync-" + System.getProperty("user.name"));
    }

    public static JobLock acquire(Path directory, String job) {
        Path file = directory.resolve(job + ".lock");
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this very process
            }
            if (lock == null) {
                String holder = holder(channel).orElse("unknown");
                channel.close();
                throw new HeldException(job, holder, file);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new JobLock(channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock job '" + job + "' in " + directory + ": " + e.getMessage(), e);
        }
    }

    private static Optional<String> holder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        int n = channel.read(buffer, 0);
        String text = n > 0 ? new String(buffer.array(), 0, n, StandardCharsets.UTF_8).strip() : "";
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // Closing the channel releases the lock in any case.
        }
    }
}
