package org.zfssync.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One live run's lock: an OS file lock on its own file {@code run-PID-*.lock} in the lock directory,
 * the file holding what the run declared ({@link Holder}). A run conflicts with every live run whose
 * claim overlaps its own ({@link RunClaim#conflictWith}); checking the others and registering happen
 * under a short exclusive lock on {@code registry}, so two runs can never both find the way clear.
 * The OS releases a dead process's locks, so a crash never leaves a stale lock: a run file whose
 * lock can be taken belongs to no live run and is removed.
 */
public final class RunLock implements AutoCloseable {
    static final Duration POLL = Duration.ofSeconds(2);
    private static final Duration STOP_CHECK = Duration.ofMillis(100);
    private static final String REGISTRY = "registry";
    private static final int MAX_FILE = 64 * 1024;

    /**
     * FileChannel locks belong to the process (POSIX record locks): a second thread's lock on the
     * registry throws instead of waiting, and closing any channel of a file this process has locked
     * drops that lock. So this JVM checks under its own monitor, and never opens its own run files:
     * their holders are known here.
     */
    private static final Object JVM = new Object();
    private static final Map<Path, Holder> HELD_HERE = new ConcurrentHashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final Holder holder;

    private RunLock(Path file, FileChannel channel, Holder holder) {
        this.file = file;
        this.channel = channel;
        this.holder = holder;
    }

    /**
     * Registers {@code claim} in {@code dir} unless a live run conflicts with it; then, as {@code wait}
     * allows, looks again every 2 s, telling {@code waiting} (one line) each time the run it waits
     * for changes.
     *
     * @throws LockConflictException naming the holder, when it conflicts and waiting is over
     */
    public static RunLock acquire(Path dir, RunClaim claim, Wait wait, Consumer<String> waiting) {
        return acquire(dir, claim, wait, waiting, () -> false, POLL);
    }

    /** As above, giving up waiting (within 100 ms) once {@code stop} says so: a signal must not wait out a run. */
    public static RunLock acquire(Path dir, RunClaim claim, Wait wait, Consumer<String> waiting, BooleanSupplier stop) {
        return acquire(dir, claim, wait, waiting, stop, POLL);
    }

    static RunLock acquire(Path directory, RunClaim claim, Wait wait, Consumer<String> waiting, BooleanSupplier stop,
            Duration poll) {
        LockDirectory.prepare(directory);
        Path dir = real(directory); // one spelling, so this JVM always recognises its own files
        long start = System.nanoTime();
        long announced = Long.MIN_VALUE;
        while (true) {
            Attempt attempt = attempt(dir, claim);
            if (attempt.lock() != null) {
                return attempt.lock();
            }
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            Optional<Duration> sleep = wait.nextSleep(waited, poll);
            if (sleep.isEmpty() || stop.getAsBoolean()) {
                throw new LockConflictException(attempt.holder(), attempt.overlap(),
                        wait.equals(Wait.NONE) ? Optional.empty() : Optional.of(waited));
            }
            if (attempt.holder().pid() != announced) {
                announced = attempt.holder().pid();
                waiting.accept("waiting " + wait + " for " + attempt.holder().describe() + ", which holds "
                        + held(attempt.overlap()));
            }
            try {
                long until = System.nanoTime() + sleep.get().toNanos();
                while (!stop.getAsBoolean() && System.nanoTime() < until) {
                    Thread.sleep(Math.max(1, Math.min(STOP_CHECK.toMillis(), (until - System.nanoTime()) / 1_000_000)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LockConflictException(attempt.holder(), attempt.overlap(), Optional.of(waited));
            }
        }
    }

    private static Path real(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the lock directory " + dir + ": " + e, e);
        }
    }

    private static String held(Overlap overlap) {
        return overlap instanceof Overlap.SameJob same ? "job '" + same.job() + "'"
                : ((Overlap.SameTree) overlap).theirs().toString();
    }

    /** Either a lock, or the first live run in the way. */
    private record Attempt(RunLock lock, Holder holder, Overlap overlap) {
    }

    private static Attempt attempt(Path dir, RunClaim claim) {
        synchronized (JVM) {
            try (FileChannel registry = FileChannel.open(dir.resolve(REGISTRY), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock registered = registry.lock()) {
                for (Path other : runFiles(dir)) {
                    Optional<Holder> live = liveHolder(other);
                    Optional<Overlap> overlap = live.flatMap(h -> claim.conflictWith(h.claim()));
                    if (overlap.isPresent()) {
                        return new Attempt(null, live.get(), overlap.get());
                    }
                }
                return new Attempt(register(dir, claim), null, null);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock in " + dir + ": " + e, e);
            }
        }
    }

    private static List<Path> runFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "run-*.lock")) {
            entries.forEach(files::add);
        }
        return files;
    }

    /** The run holding {@code file}, or empty (and the file removed) when no live run holds it. */
    private static Optional<Holder> liveHolder(Path file) throws IOException {
        Holder mine = HELD_HERE.get(file);
        if (mine != null) {
            return Optional.of(mine);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe;
            try {
                probe = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                probe = null; // held by this JVM after all: live
            }
            if (probe != null) {
                // Its process is gone (the OS released its lock): stale. Removed while locked, so that
                // no one else can be reading it as live.
                Files.deleteIfExists(file);
                return Optional.empty();
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size(), MAX_FILE));
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
                // Fills the buffer.
            }
            return Optional.of(Holder.parse(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // released between the listing and now
        }
    }

    private static RunLock register(Path dir, RunClaim claim) throws IOException {
        long pid = ProcessHandle.current().pid();
        Path file = Files.createTempFile(dir, "run-" + pid + "-", ".lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() == null) {
                throw new IOException("cannot lock the new file " + file);
            }
            Holder holder = new Holder(pid, Instant.now().truncatedTo(ChronoUnit.SECONDS), claim);
            ByteBuffer text = ByteBuffer.wrap(holder.text().getBytes(StandardCharsets.UTF_8));
            while (text.hasRemaining()) {
                channel.write(text, text.position());
            }
            channel.force(false);
            HELD_HERE.put(file, holder);
            return new RunLock(file, channel, holder);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** What this run declared, as others see it. */
    public Holder holder() {
        return holder;
    }

    /** Removes the file, then lets go of the lock (closing the channel releases it). */
    @Override
    public void close() {
        synchronized (JVM) {
            if (!channel.isOpen()) {
                return;
            }
            try {
                // Deleted while still locked: a run that finds it until then sees it live, never stale.
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // Left behind, it is stale once the channel closes and the next run removes it.
            } finally {
                HELD_HERE.remove(file);
                try {
                    channel.close();
                } catch (IOException e) {
                    // The descriptor is gone either way, and with it the lock.
                }
            }
        }
    }
}
