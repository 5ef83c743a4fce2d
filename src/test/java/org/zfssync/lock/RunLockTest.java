package org.zfssync.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zfssync.replication.Endpoint;
import org.zfssync.zfs.DatasetName;

@Timeout(60)
class RunLockTest {
    private static final Duration FAST_POLL = Duration.ofMillis(100);

    @TempDir
    Path dir;

    private final List<Process> children = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (Process child : children) {
            child.destroyForcibly().waitFor();
        }
    }

    private static RunClaim sync(String target, boolean recursive) {
        return RunClaim.sync(Endpoint.parse(target), recursive, "zfs-sync sync tank/x " + target);
    }

    private static LockConflictException conflict(ThrowingCallable call) {
        return catchThrowableOfType(LockConflictException.class, call);
    }

    private RunLock acquire(RunClaim claim) {
        return RunLock.acquire(dir, claim, Wait.NONE, line -> { });
    }

    private List<Path> runFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("run-")).toList();
        }
    }

    /** A child JVM holding a lock for {@code job} and the recursive {@code target}, once it says so. */
    private Process holdInAnotherProcess(String job, String target) throws IOException {
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), HoldLockMain.class.getName(), dir.toString(), job, target)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(child);
        String first = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertThat(first).as("the child's first line").isEqualTo("locked");
        return child;
    }

    @Test
    void aLockIsHeldUntilClosedThenFreeAgain() throws IOException {
        try (RunLock held = acquire(sync("nas:pool/b", true))) {
            assertThat(runFiles()).singleElement().satisfies(f -> assertThat(Files.readString(f))
                    .contains("pid " + ProcessHandle.current().pid(), "runs zfs-sync sync tank/x nas:pool/b",
                            "target nas\tpool/b\trecursive"));
            LockConflictException e = conflict(() -> acquire(sync("nas:pool/b/home", false)));
            assertThat(e.holder().pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(e.getMessage()).isEqualTo("target nas:pool/b/home is in use: " + held.holder().describe()
                    + " holds nas:pool/b (recursive), which overlaps it; not starting a second run on it "
                    + "(--wait waits for it)");
            assertThat(e.getMessage()).doesNotContain("\n");
        }
        assertThat(runFiles()).as("removed on release").isEmpty();
        acquire(sync("nas:pool/b/home", false)).close();
    }

    @Test
    void unrelatedRunsGoSideBySide() {
        try (RunLock a = acquire(sync("nas:pool/a", true));
                RunLock b = acquire(sync("nas:pool/b", true));
                RunLock c = acquire(sync("other:pool/a", true));
                RunLock d = acquire(new RunClaim(Optional.of("j"), "zfs-sync run j",
                        List.of(new LockTarget("nas", DatasetName.of("pool/c"), true))))) {
            assertThat(List.of(a, b, c, d)).doesNotContainNull();
        }
    }

    @Test
    void aFileNoLiveProcessLocksIsStaleAndRemoved() throws IOException {
        // What a crashed run leaves: its file, with no one holding its lock.
        Path stale = dir.resolve("run-999999-crashed.lock");
        Files.writeString(stale, new Holder(999999, Instant.now(), new RunClaim(Optional.of("home"),
                "zfs-sync run home", List.of(new LockTarget("nas", DatasetName.of("pool/b"), true)))).text());
        try (RunLock lock = acquire(new RunClaim(Optional.of("home"), "zfs-sync run home",
                List.of(new LockTarget("nas", DatasetName.of("pool/b"), true))))) {
            assertThat(stale).doesNotExist();
            assertThat(runFiles()).hasSize(1);
        }
    }

    @Test
    void aLockHeldByAnotherProcessIsRefusedNamingItsPid() throws IOException {
        Process child = holdInAnotherProcess("-", "nas:pool/b");
        LockConflictException e = conflict(() -> acquire(sync("nas:pool/b/home", false)));
        assertThat(e.holder().pid()).isEqualTo(child.pid());
        assertThat(e.getMessage()).contains("pid " + child.pid() + " (hold-lock-main ", "nas:pool/b (recursive)",
                "target nas:pool/b/home is in use");
        acquire(sync("nas:pool/c", true)).close();
    }

    @Test
    void theSameJobInAnotherProcessIsRefusedWhateverItsTargets() throws IOException {
        Process child = holdInAnotherProcess("home", "nas:pool/b");
        assertThatThrownBy(() -> acquire(new RunClaim(Optional.of("home"), "zfs-sync prune home", List.of())))
                .isInstanceOf(LockConflictException.class)
                .hasMessageStartingWith("job 'home' is already running: pid " + child.pid());
    }

    @Test
    void checkingOthersNeverDropsALockThisProcessHolds() throws IOException, InterruptedException {
        // POSIX locks belong to the process: opening and closing our own file while checking would drop ours.
        try (RunLock mine = acquire(sync("nas:pool/a", true))) {
            acquire(sync("nas:pool/b", true)).close();
            acquire(sync("nas:pool/c", true)).close();
            Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                    System.getProperty("java.class.path"), HoldLockMain.class.getName(), dir.toString(), "-",
                    "nas:pool/a").redirectError(ProcessBuilder.Redirect.INHERIT).start();
            children.add(child);
            String first = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(first).isEqualTo("conflict " + ProcessHandle.current().pid());
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isEqualTo(5);
        }
    }

    @Test
    void ofProcessesStartingTogetherOnOneTargetExactlyOneWins() throws IOException, InterruptedException {
        List<Process> racers = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Process racer = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                    System.getProperty("java.class.path"), HoldLockMain.class.getName(), dir.toString(), "-",
                    "nas:pool/b").redirectError(ProcessBuilder.Redirect.INHERIT).start();
            children.add(racer);
            racers.add(racer);
        }
        List<String> firstLines = new java.util.ArrayList<>();
        for (Process racer : racers) {
            firstLines.add(new BufferedReader(new InputStreamReader(racer.getInputStream(), StandardCharsets.UTF_8))
                    .readLine());
        }
        assertThat(firstLines).filteredOn("locked"::equals).hasSize(1);
        assertThat(firstLines).filteredOn(l -> l.startsWith("conflict ")).hasSize(3);
    }

    @Test
    void waitingSucceedsOnceTheHolderExits() throws IOException, InterruptedException {
        Process child = holdInAnotherProcess("-", "nas:pool/b");
        List<String> said = new CopyOnWriteArrayList<>();
        Instant[] released = new Instant[1];
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(700);
                released[0] = Instant.now();
                child.getOutputStream().close(); // the child exits, and the OS releases its lock
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        releaser.start();
        try (RunLock lock = RunLock.acquire(dir, sync("nas:pool/b", false), Wait.UNLIMITED, said::add, () -> false,
                FAST_POLL)) {
            Instant acquired = Instant.now();
            releaser.join();
            assertThat(acquired).isAfter(released[0]);
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(said).as("one line, naming whom it waits for").singleElement().asString()
                .startsWith("waiting without limit for pid " + child.pid() + " (hold-lock-main")
                .endsWith("which holds nas:pool/b (recursive)");
    }

    @Test
    void aLimitedWaitGivesUpAndSaysSo() throws IOException {
        Process child = holdInAnotherProcess("-", "nas:pool/b");
        long start = System.nanoTime();
        LockConflictException e = conflict(() -> RunLock.acquire(dir, sync("nas:pool/b", true),
                Wait.upTo(Duration.ofMillis(400)), line -> { }, () -> false, FAST_POLL));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(e.holder().pid()).isEqualTo(child.pid());
        assertThat(e.getMessage()).contains(", after waiting 0.").doesNotContain("--wait waits");
    }

    @Test
    void aStoppedRunGivesUpWaitingAtOnce() {
        try (RunLock held = acquire(sync("nas:pool/b", true))) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            long start = System.nanoTime();
            LockConflictException e = conflict(() -> RunLock.acquire(dir, sync("nas:pool/b", true),
                    Wait.UNLIMITED, line -> stop.set(true), () -> stop.get(), Duration.ofSeconds(30)));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(e.getMessage()).contains("after waiting");
        }
    }

    @Test
    void waitDurations() {
        assertThat(Wait.parse("unlimited")).isEqualTo(Wait.UNLIMITED);
        assertThat(Wait.parse("30m")).isEqualTo(Wait.upTo(Duration.ofMinutes(30)));
        assertThat(Wait.parse("2h").limit()).contains(Duration.ofHours(2));
        assertThat(Wait.parse("1d").limit()).contains(Duration.ofDays(1));
        assertThat(Wait.parse("45s").limit()).contains(Duration.ofSeconds(45));
        assertThatThrownBy(() -> Wait.parse("tank/a")).hasMessageContaining("--wait takes a duration");
        assertThatThrownBy(() -> Wait.parse("10")).hasMessageContaining("not '10'");
        assertThat(Wait.upTo(Duration.ofSeconds(1)).nextSleep(Duration.ofMillis(900), Duration.ofSeconds(2)))
                .as("a last look at the limit").contains(Duration.ofMillis(100));
        assertThat(Wait.upTo(Duration.ofSeconds(1)).nextSleep(Duration.ofSeconds(1), Duration.ofSeconds(2))).isEmpty();
        assertThat(Wait.NONE.nextSleep(Duration.ZERO, Duration.ofSeconds(2))).isEmpty();
    }
}
