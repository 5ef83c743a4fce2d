package org.zfssync.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Watches the data streams of one background zfs-sync from this machine, without touching it:
 * every 40 ms it reads {@code /proc/PID/io} of the ssh processes the run started (its
 * descendants only, never another test's or engineer's) that carry a {@code zfs receive} or a
 * {@code zfs send}. A receiving ssh's {@code rchar} is what zfs-sync relayed towards the target's
 * {@code zfs receive}; a sending ssh's {@code wchar} what came out of {@code zfs send}.
 *
 * <p>A stream on a kept data connection ({@code --reuse-connections}, the default) is different:
 * its ssh is a multiplexing client that hands its stdin to the connection's master and reads
 * nothing itself; the master, which the first stream on that connection forked and which outlives
 * it (no longer a descendant of the run then), reads the bytes. Masters are found by the run's
 * own private control path ({@code ControlPath=…/dN-%C}, which only this run's processes carry),
 * and what a master reads while one receiving client is on it (one stream at a time on each) is
 * that stream's. Figures are as of the last sample (up to 40 ms old when a process ends).
 */
final class FaultMeter implements AutoCloseable {
    private static final long PERIOD_MILLIS = 40;
    private final LabFixture.Background run;
    /** Receiving ssh pid to the most it had read, and its arguments. */
    private final Map<Long, Long> received = new ConcurrentHashMap<>();
    private final Map<Long, String> receiverArgs = new ConcurrentHashMap<>();
    /** The run's kept data connections' control paths seen so far. */
    private final java.util.Set<String> keptPaths = ConcurrentHashMap.newKeySet();
    /** A kept master's pid to its {@code rchar} at the last sample. */
    private final Map<Long, Long> masterRead = new ConcurrentHashMap<>();
    private static final Pattern KEPT = Pattern.compile("ControlPath=(\\S+/d\\d+-%C)");
    private final Thread sampler;
    private volatile boolean closed;

    FaultMeter(LabFixture.Background run) {
        this.run = run;
        this.sampler = new Thread(this::sampleUntilDone, "fault meter " + run.pid());
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sampleUntilDone() {
        while (!closed && run.isAlive()) {
            sample();
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        Map<String, List<ProcessHandle>> kept = new java.util.HashMap<>();
        for (ProcessHandle p : streams(run, "zfs receive")) {
            String path = keptPath(arguments(p));
            if (path != null) {
                keptPaths.add(path);
                continue;
            }
            long r = ioCounter(p.pid(), "rchar");
            if (r >= 0) {
                received.merge(p.pid(), r, Math::max);
                receiverArgs.computeIfAbsent(p.pid(), k -> arguments(p));
            }
        }
        if (keptPaths.isEmpty()) {
            return;
        }
        // Masters outlive the stream that made them: look beyond the run's descendants, by the run's own paths.
        ProcessHandle.allProcesses().filter(FaultMeter::isSsh).forEach(p -> {
            String path = keptPath(arguments(p));
            if (path != null && keptPaths.contains(path)) {
                kept.computeIfAbsent(path, k -> new ArrayList<>()).add(p);
            }
        });
        kept.forEach((path, processes) -> {
            ProcessHandle master = null;
            long most = -1;
            for (ProcessHandle p : processes) {
                long r = ioCounter(p.pid(), "rchar");
                if (r > most) {
                    most = r;
                    master = p;
                }
            }
            if (master == null) {
                return;
            }
            Long before = masterRead.put(master.pid(), most);
            long moved = most - (before == null ? 0 : before);
            ProcessHandle masterHandle = master;
            List<ProcessHandle> clients = processes.stream().filter(p -> p.pid() != masterHandle.pid())
                    .filter(p -> arguments(p).contains("zfs receive")).toList();
            // The master's own arguments name the first stream it carried; with no client on it, that one.
            ProcessHandle stream = clients.isEmpty() ? master : clients.get(0);
            if (moved > 0) {
                received.merge(stream.pid(), moved, Long::sum);
                receiverArgs.computeIfAbsent(stream.pid(), k -> arguments(stream));
            }
        });
    }

    /** The kept data connection's control path in an ssh's arguments ({@code ControlPath=…/dN-%C}), or null. */
    static String keptPath(String args) {
        java.util.regex.Matcher m = KEPT.matcher(args);
        return m.find() ? m.group(1) : null;
    }

    private static boolean isSsh(ProcessHandle p) {
        return p.info().command().map(c -> Path.of(c).getFileName().toString().equals("ssh")).orElse(false);
    }

    /** Bytes relayed towards the target's receives so far, over every stream and attempt. */
    long relayed() {
        return received.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Waits until {@link #relayed()} reaches {@code bytes}; false if the run ended or time ran out first. */
    boolean awaitRelayed(long bytes, Duration timeout) {
        return await(() -> relayed() >= bytes, timeout);
    }

    /**
     * Waits until one receive into one of {@code targets} (dataset names) has read {@code bytes};
     * false if the run ended or time ran out first.
     */
    boolean awaitReceiveInto(Collection<String> targets, long bytes, Duration timeout) {
        List<Pattern> patterns = targets.stream()
                .map(t -> Pattern.compile("(^|[\\s'\"])" + Pattern.quote(t) + "($|[\\s'\"])")).toList();
        return await(() -> received.entrySet().stream().anyMatch(e -> e.getValue() >= bytes
                && patterns.stream().anyMatch(p -> p.matcher(receiverArgs.getOrDefault(e.getKey(), "")).find())),
                timeout);
    }

    private boolean await(java.util.function.BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (!run.isAlive()) {
                sample();
                return condition.getAsBoolean();
            }
            try {
                Thread.sleep(PERIOD_MILLIS / 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * The run's ssh processes that carry a stream with {@code what} ({@code "zfs send"} or
     * {@code "zfs receive"}) in its remote command; control commands that only look alike
     * (size estimates {@code send -n}, {@code receive -A}) are left out.
     */
    static List<ProcessHandle> streams(LabFixture.Background run, String what) {
        List<ProcessHandle> found = new ArrayList<>();
        for (ProcessHandle p : run.descendants()) {
            ProcessHandle.Info info = p.info();
            boolean ssh = info.command().map(c -> Path.of(c).getFileName().toString().equals("ssh")).orElse(false);
            if (!ssh) {
                continue;
            }
            String args = arguments(p);
            if (args.contains(what) && !args.contains(what + " -n") && !args.contains(" -n -P")
                    && !args.contains("receive -A")) {
                found.add(p);
            }
        }
        return found;
    }

    private static String arguments(ProcessHandle p) {
        return String.join(" ", p.info().arguments().orElse(new String[0]));
    }

    static long ioCounter(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"), StandardCharsets.UTF_8)) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        closed = true;
        sampler.interrupt();
    }
}
