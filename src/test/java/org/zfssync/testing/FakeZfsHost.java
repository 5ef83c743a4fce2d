package org.zfssync.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.host.OutputParser;
import org.zfssync.host.Parsed;
import org.zfssync.host.Pipeline;
import org.zfssync.host.RunningPipeline;
import org.zfssync.zfs.ResumeToken;

/**
 * An in-memory ZFS host that answers the commands zfs-sync emits (see
 * {@link org.zfssync.zfs.ZfsCommands}) the way OpenZFS 2.x does, closely enough for the replication
 * logic to be tested without a kernel module: listings in the real column format, atomic
 * multi-dataset snapshots with fresh GUIDs and increasing createtxg, user holds counted in
 * {@code userrefs}, bookmarks that keep a snapshot's GUID and createtxg, atomic snapshot destroys
 * that fail with "dataset is busy" on a held snapshot, rollbacks, and data streams:
 * {@code zfs send [-w] [-i|-I FROM] SNAP}, {@code zfs send -t TOKEN} and
 * {@code zfs receive -s [-F] [-u] [-o k=v] DS} as {@link FakeProcess} stages joined by pipes, so a
 * real {@link org.zfssync.replication.Transfer} relays them between two fakes. A receive applies
 * an {@code -I} stream one snapshot at a time; cut inside a snapshot it keeps what arrived and
 * sets a real-format {@code receive_resume_token} ({@link FakeTokens}).
 *
 * <p>Faults are injected per dataset and fire once (see {@link #cutSend}, {@link #cutSendInside},
 * {@link #failReceive}, {@link #loseReceiveStatus}, {@link #failNext}, {@link #onReceived}), or on
 * every stream ({@link #throwOnStart}). Every command is recorded in {@link #events()} with a
 * sequence number shared by all fakes, so tests can check the order of commands across hosts.
 *
 * <p>Not modelled: clones, volumes' data, quotas and space, properties beyond those listed, mounts,
 * recursive ({@code -r}/{@code -R}) sends and holds, redaction, the stream's real bytes, and the
 * exact wording of rarer error messages (the ones zfs-sync's classifier reads are OpenZFS's).
 */
public final class FakeZfsHost implements Host {
    /** Stream bytes per snapshot beyond its written data (headers, metadata). */
    public static final long OVERHEAD = 1024;
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final String VERSION = "zfs-2.3.2-1\nzfs-kmod-2.3.2-1\n";
    private static final Constructor<RunningPipeline> RUNNING = runningPipelineConstructor();

    private final String name;
    /** Seeded from the host's name: repeatable, and two hosts never make the same GUIDs by chance. */
    private final Random random;
    private final Set<Long> usedGuids = new HashSet<>();
    /** Guarded by this. */
    private final TreeMap<String, Ds> datasets = new TreeMap<>();
    private long txg = 100;
    private long clock = 1_700_000_000L;
    private boolean holdsAllOrNothing;
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private final List<String> reused = Collections.synchronizedList(new ArrayList<>());
    private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
    private final List<List<String>> sequenceLog = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean sequences;
    private volatile boolean programs = true;

    public FakeZfsHost(String name) {
        this.name = name;
        this.random = new Random(42L * 31 + name.hashCode());
    }

    // ---------------------------------------------------------------- model

    private static final class Ds {
        final String name;
        long guid;
        long createtxg;
        long creation;
        long written;
        boolean encrypted;
        /** A first receive that never completed: {@code zfs receive -A} removes the whole dataset. */
        boolean partialOnly;
        Partial partial;
        final Map<String, String> properties = new TreeMap<>();
        final List<Snap> snapshots = new ArrayList<>();
        final List<Bm> bookmarks = new ArrayList<>();

        Ds(String name) {
            this.name = name;
        }

        Snap snapshot(String shortName) {
            for (Snap s : snapshots) {
                if (s.name.equals(shortName)) {
                    return s;
                }
            }
            return null;
        }

        Bm bookmark(String shortName) {
            for (Bm b : bookmarks) {
                if (b.name.equals(shortName)) {
                    return b;
                }
            }
            return null;
        }

        Snap newest() {
            return snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
        }
    }

    private static final class Snap {
        String name;
        final long guid;
        final long createtxg;
        final long creation;
        long written;
        final Map<String, Long> holds = new TreeMap<>();

        Snap(String name, long guid, long createtxg, long creation, long written) {
            this.name = name;
            this.guid = guid;
            this.createtxg = createtxg;
            this.creation = creation;
            this.written = written;
        }
    }

    private record Bm(String name, long guid, long createtxg, long creation) {
    }

    /** The resumable state of an interrupted {@code zfs receive -s}. */
    private record Partial(FakeStream.Record record, long bytes, String token) {
    }

    /** What happened, in the order of a sequence shared by every fake. */
    public enum Kind {
        /** A control command ran (logged with its exit status, numbered when it started). */
        RUN,
        /** A pipeline stage started. */
        START,
        /** A pipeline stage exited. */
        EXIT
    }

    /** One entry of the command log; {@code command} is the argv joined by spaces, unquoted. */
    public record Event(long seq, String host, Kind kind, String command, int exit) {
        @Override
        public String toString() {
            return seq + " [" + host + "] " + kind + " " + command + (kind == Kind.START ? "" : " -> " + exit);
        }
    }

    private record Fault(String type, String dataset, long number, int exit, String stderr, Object action) {
    }

    // ---------------------------------------------------------------- setup and inspection

    /** Creates a pool (its root dataset). */
    public synchronized FakeZfsHost pool(String pool) {
        if (pool.contains("/")) {
            throw new IllegalArgumentException("not a pool name: " + pool);
        }
        createDataset(pool, false);
        return this;
    }

    /** {@code zfs create -p}: the dataset and its missing parents (the pool must exist). */
    public synchronized FakeZfsHost create(String dataset) {
        createWithParents(dataset, null);
        return this;
    }

    /** An encrypted dataset ({@code encryption=aes-256-gcm}); its children inherit it. */
    public synchronized FakeZfsHost createEncrypted(String dataset) {
        createWithParents(dataset, true);
        return this;
    }

    /** Writes data: {@code written} grows until the next snapshot. */
    public synchronized FakeZfsHost write(String dataset, long bytes) {
        ds(dataset).written += bytes;
        return this;
    }

    /** {@code zfs snapshot dataset@name}; returns the new GUID. */
    public synchronized long snapshot(String dataset, String snapshot) {
        try {
            takeSnapshotsChecked(List.of(dataset + "@" + snapshot));
        } catch (ZfsError e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return ds(dataset).snapshot(snapshot).guid;
    }

    public synchronized FakeZfsHost bookmark(String snapshot, String bookmarkName) {
        String[] p = split(snapshot, '@');
        Snap s = ds(p[0]).snapshot(p[1]);
        ds(p[0]).bookmarks.add(new Bm(bookmarkName, s.guid, s.createtxg, s.creation));
        return this;
    }

    public synchronized FakeZfsHost hold(String tag, String snapshot) {
        snap(snapshot).holds.put(tag, clock);
        return this;
    }

    /** {@code zfs rename ds@old ds@new}: the GUID stays. */
    public synchronized FakeZfsHost renameSnapshot(String snapshot, String newName) {
        snap(snapshot).name = newName;
        return this;
    }

    /** Destroys a snapshot as a pruner would (holds are respected: a held one stays and this throws). */
    public synchronized FakeZfsHost destroySnapshot(String snapshot) {
        String[] p = split(snapshot, '@');
        Snap s = snap(snapshot);
        if (!s.holds.isEmpty()) {
            throw new IllegalStateException("cannot destroy snapshot " + snapshot + ": dataset is busy");
        }
        removeSnapshot(ds(p[0]), s);
        return this;
    }

    /** Every OpenZFS CLI holds each snapshot on its own; this makes a hold of several all-or-nothing. */
    public synchronized FakeZfsHost holdsAllOrNothing(boolean value) {
        holdsAllOrNothing = value;
        return this;
    }

    public synchronized boolean exists(String dataset) {
        return datasets.containsKey(dataset);
    }

    /** Short names of the dataset's snapshots, oldest first. */
    public synchronized List<String> snapshots(String dataset) {
        return ds(dataset).snapshots.stream().map(s -> s.name).toList();
    }

    /** GUIDs of the dataset's snapshots, oldest first. */
    public synchronized List<Long> snapshotGuids(String dataset) {
        return ds(dataset).snapshots.stream().map(s -> s.guid).toList();
    }

    public synchronized List<String> bookmarks(String dataset) {
        return ds(dataset).bookmarks.stream().map(Bm::name).toList();
    }

    /** The GUID of {@code fs@snap} or {@code fs#bookmark}. */
    public synchronized long guid(String name) {
        if (name.contains("#")) {
            String[] p = split(name, '#');
            Bm b = ds(p[0]).bookmark(p[1]);
            if (b == null) {
                throw new IllegalArgumentException("no bookmark " + name);
            }
            return b.guid;
        }
        return snap(name).guid;
    }

    /** The {@code creation} property of {@code fs@snap}, seconds since the epoch. */
    public synchronized long snapshotCreation(String name) {
        return snap(name).creation;
    }

    public synchronized boolean hasSnapshot(String snapshot) {
        String[] p = split(snapshot, '@');
        Ds d = datasets.get(p[0]);
        return d != null && d.snapshot(p[1]) != null;
    }

    /** The tags held on a snapshot. */
    public synchronized Set<String> holds(String snapshot) {
        return Set.copyOf(snap(snapshot).holds.keySet());
    }

    /** Every snapshot with at least one hold, with its tags. */
    public synchronized Map<String, Set<String>> allHolds() {
        Map<String, Set<String>> all = new TreeMap<>();
        for (Ds d : datasets.values()) {
            for (Snap s : d.snapshots) {
                if (!s.holds.isEmpty()) {
                    all.put(d.name + "@" + s.name, Set.copyOf(s.holds.keySet()));
                }
            }
        }
        return all;
    }

    public synchronized Optional<String> resumeToken(String dataset) {
        Ds d = datasets.get(dataset);
        return d == null || d.partial == null ? Optional.empty() : Optional.of(d.partial.token());
    }

    public synchronized boolean encrypted(String dataset) {
        return ds(dataset).encrypted;
    }

    /** A property set by {@code zfs receive -o} (or null). */
    public synchronized String property(String dataset, String property) {
        return ds(dataset).properties.get(property);
    }

    /** Every command so far, in order. */
    public List<Event> events() {
        synchronized (events) {
            List<Event> copy = new ArrayList<>(events);
            copy.sort(Comparator.comparingLong(Event::seq));
            return copy;
        }
    }

    /** The commands run or started so far (argv joined by spaces), in order. */
    public List<String> commands() {
        return events().stream().filter(e -> e.kind() != Kind.EXIT).map(Event::command).toList();
    }

    /** The commands (run or started) that begin with {@code prefix}. */
    public List<String> commands(String prefix) {
        return commands().stream().filter(c -> c.startsWith(prefix)).toList();
    }

    // ---------------------------------------------------------------- faults

    /** The next send of a snapshot of {@code dataset} stops after {@code bytes} bytes of its stream (the connection drops). */
    public FakeZfsHost cutSend(String dataset, long bytes) {
        faults.add(new Fault("cut", dataset, bytes, 255, "Connection to " + name + " closed by remote host.\n", null));
        return this;
    }

    /**
     * The next send of a snapshot of {@code dataset} stops {@code intoPayload} bytes into the
     * payload of its {@code k}-th snapshot (1 for the first), as if the connection dropped there.
     */
    public FakeZfsHost cutSendInside(String dataset, int k, long intoPayload) {
        faults.add(new Fault("cutInside", dataset, ((long) k << 40) | intoPayload, 255,
                "Connection to " + name + " closed by remote host.\n", null));
        return this;
    }

    /** The next receive into {@code dataset} fails at once, reading nothing, with this status and error output. */
    public FakeZfsHost failReceive(String dataset, int exit, String stderr) {
        faults.add(new Fault("failReceive", dataset, 0, exit, stderr, null));
        return this;
    }

    /** The next receive into {@code dataset} applies its whole stream, then its exit status is lost (ssh's 255). */
    public FakeZfsHost loseReceiveStatus(String dataset) {
        faults.add(new Fault("lose", dataset, 0, 255, "no exit status from " + name + ": the connection was lost\n",
                null));
        return this;
    }

    /** The next control command that starts with {@code commandPrefix} fails without running. */
    public FakeZfsHost failNext(String commandPrefix, int exit, String stderr) {
        faults.add(new Fault("failRun", commandPrefix, 0, exit, stderr, null));
        return this;
    }

    /** Every pipeline started with a stage that names {@code dataset} throws (a bug in the host layer). */
    public FakeZfsHost throwOnStart(String dataset, Supplier<RuntimeException> error) {
        faults.add(new Fault("throw", dataset, Long.MAX_VALUE, 0, null, error));
        return this;
    }

    /** Once the next receive into {@code dataset} has read {@code bytes} bytes, runs {@code action} on its thread. */
    public FakeZfsHost onReceived(String dataset, long bytes, Runnable action) {
        faults.add(new Fault("onReceived", dataset, bytes, 0, null, action));
        return this;
    }

    private Fault takeFault(String type, String dataset) {
        synchronized (faults) {
            for (Fault f : faults) {
                if (f.type().equals(type) && f.dataset().equals(dataset)) {
                    if (!type.equals("throw")) {
                        faults.remove(f);
                    }
                    return f;
                }
            }
        }
        return null;
    }

    private Fault takeRunFault(String display) {
        synchronized (faults) {
            for (Fault f : faults) {
                if (f.type().equals("failRun") && display.startsWith(f.dataset())) {
                    faults.remove(f);
                    return f;
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- Host

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isLocal() {
        return false;
    }

    @Override
    public CommandResult run(Command command) {
        long seq = SEQUENCE.incrementAndGet();
        String display = String.join(" ", command.argv());
        Fault fault = takeRunFault(display);
        CommandResult r;
        if (fault != null) {
            r = new CommandResult(command, name, fault.exit(), "", fault.stderr());
        } else {
            r = execute(command);
        }
        events.add(new Event(seq, name, Kind.RUN, display, r.exitCode()));
        return r;
    }

    @Override
    public <T> Parsed<T> read(Command command, OutputParser<T> parser) {
        CommandResult r = run(command);
        if (!r.ok()) {
            return new Parsed<>(r, null);
        }
        try {
            return new Parsed<>(r, parser.parse(new BufferedReader(new StringReader(r.stdout()))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<CommandResult> runAll(List<Command> commands) {
        List<CommandResult> results = new ArrayList<>();
        for (Command c : commands) {
            results.add(run(c));
        }
        return Batches.asBatch(results);
    }

    /** Records the pipeline as started on a kept connection ({@link #reused()}), then runs it as {@link #start}. */
    @Override
    public RunningPipeline startReusing(Pipeline pipeline) {
        reused.add(display(pipeline));
        return start(pipeline);
    }

    /** The pipelines started as small streams, on a kept connection, as displayed, in order. */
    public List<String> reused() {
        synchronized (reused) {
            return List.copyOf(reused);
        }
    }

    /** Lets this host run command sequences ({@link #startSequence}); off by default, as on this machine. */
    public FakeZfsHost runSequences(boolean on) {
        this.sequences = on;
        return this;
    }

    @Override
    public boolean startsSequences() {
        return sequences;
    }

    /** The sequences started, each as the displays of its commands, in order. */
    public List<List<String>> sequences() {
        synchronized (sequenceLog) {
            return List.copyOf(sequenceLog);
        }
    }

    /**
     * One fake process runs the commands in turn on the same stdin and stdout, stopping at the
     * first that fails, as the remote script does; each command's START and EXIT are events.
     */
    @Override
    public RunningPipeline startSequence(List<Command> commands) {
        if (!sequences) {
            throw new UnsupportedOperationException(name + " runs no command sequences");
        }
        sequenceLog.add(commands.stream().map(c -> String.join(" ", c.argv())).toList());
        Integer[] exits = new Integer[commands.size()];
        String[] errs = new String[commands.size()];
        FakePipe in = new FakePipe();
        FakePipe out = new FakePipe();
        FakeProcess process = FakeProcess.start(name + ": sequence", in, out, (stdin, stdout, err, self) -> {
            for (int i = 0; i < commands.size(); i++) {
                String display = String.join(" ", commands.get(i).argv());
                events.add(new Event(SEQUENCE.incrementAndGet(), name, Kind.START, display, -1));
                StringBuilder own = new StringBuilder();
                int code;
                try {
                    code = body(commands.get(i)).run(stdin, stdout, own, self);
                } catch (IOException e) {
                    code = 1;
                    own.append(e.getMessage()).append('\n');
                }
                if (self.killed()) {
                    code = FakeProcess.KILLED;
                }
                int exit = code;
                events.add(new Event(SEQUENCE.incrementAndGet(), name, Kind.EXIT, display, exit));
                exits[i] = exit;
                errs[i] = own.toString();
                if (exit != 0) {
                    return 1;
                }
            }
            return 0;
        }, code -> { });
        BiFunction<List<Integer>, List<String>, List<CommandResult>> decoder = (codes, ignored) -> {
            List<CommandResult> results = new ArrayList<>();
            for (int i = 0; i < commands.size(); i++) {
                results.add(exits[i] == null
                        ? new CommandResult(commands.get(i), name, 255, "", "not run\n")
                        : new CommandResult(commands.get(i), name, exits[i], "", errs[i]));
            }
            return results;
        };
        try {
            return RUNNING.newInstance(new Pipeline(commands), name, List.of(process), decoder);
        } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot make a RunningPipeline", e);
        }
    }

    @Override
    public RunningPipeline start(Pipeline pipeline) {
        for (Command stage : pipeline.stages()) {
            for (String arg : stage.argv()) {
                Fault f = takeFault("throw", datasetOf(arg));
                if (f != null) {
                    @SuppressWarnings("unchecked")
                    Supplier<RuntimeException> error = (Supplier<RuntimeException>) f.action();
                    throw error.get();
                }
            }
        }
        int n = pipeline.size();
        FakePipe[] pipes = new FakePipe[n + 1];
        for (int i = 0; i <= n; i++) {
            pipes[i] = new FakePipe();
        }
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Command stage = pipeline.stages().get(i);
            String display = String.join(" ", stage.argv());
            events.add(new Event(SEQUENCE.incrementAndGet(), name, Kind.START, display, -1));
            processes.add(FakeProcess.start(name + ": " + display, pipes[i], pipes[i + 1], body(stage),
                    code -> events.add(new Event(SEQUENCE.incrementAndGet(), name, Kind.EXIT, display, code))));
        }
        BiFunction<List<Integer>, List<String>, List<CommandResult>> decoder = (exits, errs) -> {
            List<CommandResult> results = new ArrayList<>();
            for (int i = 0; i < exits.size(); i++) {
                results.add(new CommandResult(pipeline.stages().get(i), name, exits.get(i), "", errs.get(i)));
            }
            return results;
        };
        try {
            return RUNNING.newInstance(pipeline, name, processes, decoder);
        } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot make a RunningPipeline", e);
        }
    }

    /** RunningPipeline has no public constructor: the host layer makes them. A test fake may reach it. */
    @SuppressWarnings("unchecked")
    private static Constructor<RunningPipeline> runningPipelineConstructor() {
        try {
            Constructor<RunningPipeline> c = RunningPipeline.class.getDeclaredConstructor(Pipeline.class,
                    String.class, List.class, BiFunction.class);
            c.setAccessible(true);
            return c;
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public String display(Command command) {
        return command.toString();
    }

    @Override
    public String display(Pipeline pipeline) {
        return pipeline.toString();
    }

    @Override
    public void close() {
        // Nothing held.
    }

    @Override
    public String toString() {
        return "FakeZfsHost[" + name + "]";
    }

    // ---------------------------------------------------------------- control commands

    /** A command's failure, as zfs would print it. */
    private static final class ZfsError extends Exception {
        private static final long serialVersionUID = 1L;
        final int exit;

        ZfsError(String message) {
            this(1, message);
        }

        ZfsError(int exit, String message) {
            super(message, null, false, false);
            this.exit = exit;
        }
    }

    private CommandResult execute(Command command) {
        List<String> a = command.argv();
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        int exit;
        try {
            synchronized (this) {
                exit = dispatch(a, out, err);
            }
        } catch (ZfsError e) {
            exit = e.exit;
            err.append(e.getMessage()).append('\n');
        }
        return new CommandResult(command, name, exit, out.toString(), err.toString());
    }

    /**
     * {@code zfs program -j POOL SCRIPT ARGS} with {@link org.zfssync.zfs.ChannelBatch}'s script: its
     * {@code b FROM BOOKMARK} and {@code d N SNAP...} operations, each answered with an errno (and,
     * for a refused destroy, which snapshot refused), as that script answers; "permission denied"
     * as a non-root user gets, when {@link #programs(boolean)} turned them off.
     */
    private int program(String pool, List<String> args, StringBuilder out, StringBuilder err) throws ZfsError {
        if (!programs) {
            throw new ZfsError(1, "cannot run channel program: permission denied");
        }
        if (!datasets.containsKey(pool)) {
            throw new ZfsError(1, "cannot open '" + pool + "': no such pool");
        }
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < args.size(); ) {
            if (args.get(i).equals("b")) {
                List<String> bookmark = List.of("zfs", "bookmark", args.get(i + 1), args.get(i + 2));
                answers.add(errno(() -> dispatch(bookmark, new StringBuilder(), new StringBuilder())));
                i += 3;
            } else {
                int n = Integer.parseInt(args.get(i + 1));
                List<String> names = args.subList(i + 2, i + 2 + n);
                String first = names.get(0);
                String list = first.substring(0, first.indexOf('@') + 1) + String.join(",",
                        names.stream().map(x -> x.substring(x.indexOf('@') + 1)).toList());
                String code = errno(() -> dispatch(List.of("zfs", "destroy", list), new StringBuilder(),
                        new StringBuilder()));
                answers.add(code.equals("0") ? code : code + " 1");
                i += 2 + n;
            }
        }
        out.append("{\"return\":{");
        for (int k = 0; k < answers.size(); k++) {
            out.append(k == 0 ? "" : ",").append('"').append(k + 1).append("\":\"").append(answers.get(k)).append('"');
        }
        out.append("}}\n");
        return 0;
    }

    private interface ZfsCall {
        int call() throws ZfsError;
    }

    /** The errno a channel program gets where the command line printed this message. */
    private static String errno(ZfsCall call) {
        try {
            return call.call() == 0 ? "0" : "22";
        } catch (ZfsError e) {
            String m = e.getMessage();
            return m.contains("busy") ? "16" : m.contains("exists") ? "17" : m.contains("does not exist")
                    || m.contains("could not find") ? "2" : "22";
        }
    }

    /** Whether {@code zfs program} runs (as for root), or is refused as for a delegated user. */
    public FakeZfsHost programs(boolean on) {
        programs = on;
        return this;
    }

    private int dispatch(List<String> a, StringBuilder out, StringBuilder err) throws ZfsError {
        if (a.get(0).equals("zpool") && a.size() > 1 && a.get(1).equals("sync")) {
            for (String pool : a.subList(2, a.size())) {
                if (!datasets.containsKey(pool)) {
                    throw new ZfsError("cannot open '" + pool + "': no such pool");
                }
            }
            return 0;
        }
        if (a.get(0).equals("sh") && a.size() > 5 && a.get(1).equals("-c") && a.get(3).equals("zfs-sync-cursor")) {
            // ZfsCommands.bookmarkThenDestroy: the bookmark, then (only if it worked) each older one destroyed.
            int made = dispatch(List.of("zfs", "bookmark", a.get(4), a.get(5)), out, err);
            if (made != 0) {
                return made;
            }
            for (String older : a.subList(6, a.size())) {
                int destroyed = dispatch(List.of("zfs", "destroy", older), out, err);
                if (destroyed != 0) {
                    return destroyed;
                }
            }
            return 0;
        }
        if (a.get(0).equals("sh") && a.size() > 5 && a.get(1).equals("-c") && a.get(3).equals("zfs-sync-program")) {
            return program(a.get(4), a.subList(6, a.size()), out, err);
        }
        if (!a.get(0).equals("zfs") || a.size() < 2) {
            throw new ZfsError(127, "sh: 1: " + a.get(0) + ": not found");
        }
        List<String> args = a.subList(2, a.size());
        return switch (a.get(1)) {
            case "version" -> {
                out.append(VERSION);
                yield 0;
            }
            case "list" -> list(args, out);
            case "get" -> get(args, out);
            case "snapshot", "snap" -> {
                takeSnapshotsChecked(args);
                yield 0;
            }
            case "hold" -> holdOrRelease(args, true, err);
            case "release" -> holdOrRelease(args, false, err);
            case "holds" -> holds(args, out, err);
            case "bookmark" -> bookmarkCommand(args);
            case "destroy" -> destroy(args, out);
            case "rollback" -> rollback(args);
            case "create" -> createCommand(args);
            case "receive", "recv" -> receiveAbort(args);
            case "send" -> sendEstimate(args, out);
            case "rename" -> renameDataset(args);
            default -> throw new ZfsError(2, "unrecognized command '" + a.get(1) + "' (not modelled by the fake)");
        };
    }

    /** {@code zfs rename FROM TO} of a file system or volume: it and everything below it take the new name. */
    private int renameDataset(List<String> args) throws ZfsError {
        String from = args.get(args.size() - 2);
        String to = args.get(args.size() - 1);
        if (!datasets.containsKey(from)) {
            throw new ZfsError(1, "cannot open '" + from + "': dataset does not exist");
        }
        if (datasets.containsKey(to)) {
            throw new ZfsError(1, "cannot rename to '" + to + "': dataset already exists");
        }
        for (String k : new ArrayList<>(datasets.keySet())) {
            if (k.equals(from) || k.startsWith(from + "/")) {
                Ds old = datasets.remove(k);
                Ds d = new Ds(to + k.substring(from.length()));
                d.guid = old.guid;
                d.createtxg = old.createtxg;
                d.creation = old.creation;
                d.written = old.written;
                d.encrypted = old.encrypted;
                d.partialOnly = old.partialOnly;
                d.partial = old.partial;
                d.properties.putAll(old.properties);
                d.snapshots.addAll(old.snapshots);
                d.bookmarks.addAll(old.bookmarks);
                datasets.put(d.name, d);
            }
        }
        return 0;
    }

    private int list(List<String> args, StringBuilder out) throws ZfsError {
        List<String> columns = List.of("name");
        Set<String> types = Set.of("filesystem", "volume");
        int depth = 0;
        String root = null;
        List<String> named = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "-H", "-p" -> {
                }
                case "-o" -> columns = List.of(args.get(++i).split(","));
                case "-t" -> types = Set.of(args.get(++i).split(","));
                case "-r" -> depth = Integer.MAX_VALUE;
                case "-d" -> depth = Integer.parseInt(args.get(++i));
                default -> {
                    root = args.get(i);
                    named.add(root);
                }
            }
        }
        if (!named.isEmpty() && named.get(0).contains("@")) {
            // zfs list -t snapshot fs@a fs2@b: exactly the named snapshots.
            for (String full : named) {
                int at = full.indexOf('@');
                Ds d = datasets.get(full.substring(0, at));
                Snap found = null;
                for (Snap sn : d == null ? List.<Snap>of() : d.snapshots) {
                    found = sn.name.equals(full.substring(at + 1)) ? sn : found;
                }
                if (found == null) {
                    throw new ZfsError("cannot open '" + full + "': dataset does not exist");
                }
                Snap f = found;
                line(out, columns, c -> snapshotValue(d, f, c));
            }
            return 0;
        }
        if (types.contains("all")) {
            types = Set.of("filesystem", "volume", "snapshot", "bookmark");
        }
        Ds r = datasets.get(root);
        if (r == null) {
            throw new ZfsError("cannot open '" + root + "': dataset does not exist");
        }
        for (Ds d : datasets.values()) {
            if (!isSelfOrDescendant(d.name, root)) {
                continue;
            }
            int level = depthOf(d.name) - depthOf(root);
            if (level > depth) {
                continue;
            }
            if (types.contains("filesystem")) {
                line(out, columns, c -> datasetValue(d, c));
            }
            if (level + 1 <= depth || level == 0 && depth == 0 && !types.contains("filesystem")) {
                if (types.contains("snapshot")) {
                    for (Snap s : d.snapshots) {
                        line(out, columns, c -> snapshotValue(d, s, c));
                    }
                }
                if (types.contains("bookmark")) {
                    for (Bm b : d.bookmarks) {
                        line(out, columns, c -> bookmarkValue(d, b, c));
                    }
                }
            }
        }
        return 0;
    }

    private interface Values {
        String value(String column) throws ZfsError;
    }

    private static void line(StringBuilder out, List<String> columns, Values values) throws ZfsError {
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                out.append('\t');
            }
            out.append(values.value(columns.get(i)));
        }
        out.append('\n');
    }

    private static String datasetValue(Ds d, String column) throws ZfsError {
        return switch (column) {
            case "name" -> d.name;
            case "type" -> "filesystem";
            case "guid" -> Long.toUnsignedString(d.guid);
            case "createtxg" -> Long.toString(d.createtxg);
            case "creation" -> Long.toString(d.creation);
            case "written" -> Long.toString(d.written);
            case "encryption" -> d.encrypted ? "aes-256-gcm" : "off";
            case "receive_resume_token" -> d.partial == null ? "-" : d.partial.token();
            case "userrefs" -> "-";
            case "readonly" -> d.properties.getOrDefault("readonly", "off");
            default -> {
                if (d.properties.containsKey(column)) {
                    yield d.properties.get(column);
                }
                throw new ZfsError(2, "bad property list: invalid property '" + column + "'");
            }
        };
    }

    private static String snapshotValue(Ds d, Snap s, String column) throws ZfsError {
        return switch (column) {
            case "name" -> d.name + "@" + s.name;
            case "type" -> "snapshot";
            case "guid" -> Long.toUnsignedString(s.guid);
            case "createtxg" -> Long.toString(s.createtxg);
            case "creation" -> Long.toString(s.creation);
            case "written" -> Long.toString(s.written);
            case "encryption" -> d.encrypted ? "aes-256-gcm" : "off";
            case "receive_resume_token", "readonly" -> "-";
            case "userrefs" -> Integer.toString(s.holds.size());
            default -> throw new ZfsError(2, "bad property list: invalid property '" + column + "'");
        };
    }

    private static String bookmarkValue(Ds d, Bm b, String column) throws ZfsError {
        return switch (column) {
            case "name" -> d.name + "#" + b.name;
            case "type" -> "bookmark";
            case "guid" -> Long.toUnsignedString(b.guid);
            case "createtxg" -> Long.toString(b.createtxg);
            case "creation" -> Long.toString(b.creation);
            case "written", "encryption", "receive_resume_token", "userrefs", "readonly" -> "-";
            default -> throw new ZfsError(2, "bad property list: invalid property '" + column + "'");
        };
    }

    private int get(List<String> args, StringBuilder out) throws ZfsError {
        int i = 0;
        while (i < args.size() && args.get(i).startsWith("-")) {
            if (args.get(i).equals("-o")) {
                i++;
            }
            i++;
        }
        String[] properties = args.get(i).split(",");
        for (String target : args.subList(i + 1, args.size())) {
            for (String p : properties) {
                if (target.contains("@")) {
                    String[] s = split(target, '@');
                    Ds d = datasets.get(s[0]);
                    Snap snap = d == null ? null : d.snapshot(s[1]);
                    if (snap == null) {
                        throw new ZfsError("cannot open '" + target + "': dataset does not exist");
                    }
                    out.append(snapshotValue(d, snap, p)).append('\n');
                } else {
                    Ds d = datasets.get(target);
                    if (d == null) {
                        throw new ZfsError("cannot open '" + target + "': dataset does not exist");
                    }
                    out.append(datasetValue(d, p)).append('\n');
                }
            }
        }
        return 0;
    }

    /** {@code zfs snapshot a@x b@y}: all in one txg, or none. */
    private void takeSnapshotsChecked(List<String> names) throws ZfsError {
        for (String n : names) {
            if (n.startsWith("-")) {
                throw new ZfsError(2, "invalid option '" + n + "' (not modelled by the fake)");
            }
            if (!n.contains("@")) {
                throw new ZfsError("cannot create snapshot '" + n + "': empty component or misplaced '@' or '#' "
                        + "delimiter in name");
            }
            String[] p = split(n, '@');
            Ds d = datasets.get(p[0]);
            if (d == null) {
                throw new ZfsError("cannot open '" + p[0] + "': dataset does not exist");
            }
            if (d.snapshot(p[1]) != null) {
                throw new ZfsError("cannot create snapshot '" + n + "': dataset already exists");
            }
        }
        long t = nextTxg();
        for (String n : names) {
            String[] p = split(n, '@');
            Ds d = datasets.get(p[0]);
            d.snapshots.add(new Snap(p[1], newGuid(), t, clock, d.written));
            d.written = 0;
        }
    }

    /**
     * {@code zfs hold -r} / {@code zfs release -r}: the snapshot of that name on the dataset and on
     * every descendant that has one, as OpenZFS does it: a hold is all or nothing (one that already
     * carries the tag fails them all), a release skips the descendants without the tag.
     */
    private int holdOrReleaseRecursive(String tag, String snapshot, boolean holding) throws ZfsError {
        String[] p = split(snapshot, '@');
        Ds top = datasets.get(p[0]);
        if (top == null || top.snapshot(p[1]) == null) {
            throw new ZfsError("cannot " + (holding ? "hold" : "release") + " snapshot '" + snapshot
                    + "': dataset does not exist");
        }
        List<Snap> found = new ArrayList<>();
        for (Map.Entry<String, Ds> e : datasets.entrySet()) {
            Snap s = e.getKey().equals(p[0]) || e.getKey().startsWith(p[0] + "/") ? e.getValue().snapshot(p[1]) : null;
            if (s == null) {
                continue;
            }
            if (holding && s.holds.containsKey(tag)) {
                throw new ZfsError("cannot hold snapshot '" + e.getKey() + "@" + p[1] + "': tag already exists on this "
                        + "dataset");
            }
            if (holding || s.holds.containsKey(tag)) {
                found.add(s);
            }
        }
        found.forEach(s -> apply(s, tag, holding));
        return 0;
    }

    private int holdOrRelease(List<String> args, boolean holding, StringBuilder err) throws ZfsError {
        if (args.get(0).equals("-r")) {
            return holdOrReleaseRecursive(args.get(1), args.get(2), holding);
        }
        String tag = args.get(0);
        List<String> snaps = args.subList(1, args.size());
        List<Snap> found = new ArrayList<>();
        int errors = 0;
        for (String n : snaps) {
            String problem = null;
            Snap s = null;
            if (!n.contains("@")) {
                problem = "'" + n + "' is not a snapshot";
            } else {
                String[] p = split(n, '@');
                Ds d = datasets.get(p[0]);
                if (d == null) {
                    problem = "cannot open '" + p[0] + "': dataset does not exist";
                } else {
                    s = d.snapshot(p[1]);
                    String what = holding ? "cannot hold snapshot '" + n + "': " : "cannot release hold from snapshot '"
                            + n + "': ";
                    if (s == null) {
                        problem = what + "dataset does not exist";
                    } else if (holding && s.holds.containsKey(tag)) {
                        problem = what + "tag already exists on this dataset";
                    } else if (!holding && !s.holds.containsKey(tag)) {
                        problem = what + "no such tag on this dataset";
                    }
                }
            }
            if (problem != null) {
                err.append(problem).append('\n');
                errors++;
            } else {
                found.add(s);
                if (!holdsAllOrNothing || !holding) {
                    apply(s, tag, holding);
                }
            }
        }
        if (holdsAllOrNothing && holding && errors == 0) {
            found.forEach(s -> apply(s, tag, true));
        }
        return errors == 0 ? 0 : 1;
    }

    private void apply(Snap s, String tag, boolean holding) {
        if (holding) {
            s.holds.put(tag, clock);
        } else {
            s.holds.remove(tag);
        }
    }

    private int holds(List<String> args, StringBuilder out, StringBuilder err) {
        int exit = 0;
        for (String n : args) {
            if (n.startsWith("-")) {
                continue;
            }
            String[] p = n.contains("@") ? split(n, '@') : new String[] {n, ""};
            Ds d = datasets.get(p[0]);
            Snap s = d == null ? null : d.snapshot(p[1]);
            if (s == null) {
                err.append("cannot open '").append(n).append("': dataset does not exist\n");
                exit = 1;
                continue;
            }
            for (Map.Entry<String, Long> h : s.holds.entrySet()) {
                out.append(n).append('\t').append(h.getKey()).append('\t')
                        .append(new java.util.Date(h.getValue() * 1000)).append('\n');
            }
        }
        return exit;
    }

    private int bookmarkCommand(List<String> args) throws ZfsError {
        String from = args.get(0);
        String to = args.get(1);
        String errbuf = "cannot create bookmark '" + to + "': ";
        if (!to.contains("#")) {
            throw new ZfsError(errbuf + "invalid argument");
        }
        String[] t = split(to, '#');
        Ds d = datasets.get(t[0]);
        long guid;
        long createtxg;
        long creation;
        if (from.contains("@")) {
            String[] f = split(from, '@');
            Snap s = f[0].equals(t[0]) && d != null ? d.snapshot(f[1]) : null;
            if (!f[0].equals(t[0])) {
                throw new ZfsError(errbuf + "source is not an ancestor of the new bookmark's dataset");
            }
            if (s == null) {
                throw new ZfsError(errbuf + "dataset does not exist");
            }
            guid = s.guid;
            createtxg = s.createtxg;
            creation = s.creation;
        } else {
            String[] f = split(from, '#');
            Bm b = f[0].equals(t[0]) && d != null ? d.bookmark(f[1]) : null;
            if (b == null) {
                throw new ZfsError(errbuf + "dataset does not exist");
            }
            guid = b.guid();
            createtxg = b.createtxg();
            creation = b.creation();
        }
        if (d.bookmark(t[1]) != null) {
            throw new ZfsError(errbuf + "bookmark exists");
        }
        d.bookmarks.add(new Bm(t[1], guid, createtxg, creation));
        d.bookmarks.sort(Comparator.comparingLong(Bm::createtxg));
        return 0;
    }

    private int destroy(List<String> args, StringBuilder out) throws ZfsError {
        boolean dryRun = false;
        String target = null;
        for (String a : args) {
            if (a.startsWith("-")) {
                dryRun |= a.contains("n");
            } else {
                target = a;
            }
        }
        if (target.contains("#")) {
            String[] p = split(target, '#');
            Ds d = datasets.get(p[0]);
            Bm b = d == null ? null : d.bookmark(p[1]);
            if (b == null) {
                throw new ZfsError("bookmark '" + target + "' does not exist.");
            }
            if (!dryRun) {
                d.bookmarks.remove(b);
            }
            return 0;
        }
        if (!target.contains("@")) {
            throw new ZfsError(2, "destroying a dataset is not modelled by the fake: " + target);
        }
        String[] p = split(target, '@');
        Ds d = datasets.get(p[0]);
        if (d == null) {
            throw new ZfsError("could not find any snapshots to destroy; check snapshot names.");
        }
        List<Snap> doomed = new ArrayList<>();
        for (String n : p[1].split(",")) {
            Snap s = d.snapshot(n);
            if (s != null) {
                doomed.add(s);
            }
        }
        if (doomed.isEmpty()) {
            throw new ZfsError("could not find any snapshots to destroy; check snapshot names.");
        }
        for (Snap s : doomed) {
            if (!s.holds.isEmpty()) {
                throw new ZfsError("cannot destroy snapshot " + d.name + "@" + s.name + ": dataset is busy");
            }
        }
        long reclaim = 0;
        for (Snap s : doomed) {
            reclaim += s.written;
            if (!dryRun) {
                removeSnapshot(d, s);
            }
        }
        if (dryRun) {
            for (Snap s : doomed) {
                out.append("destroy\t").append(d.name).append('@').append(s.name).append('\n');
            }
            out.append("reclaim\t").append(reclaim).append('\n');
        }
        return 0;
    }

    /** Removes a snapshot; what only it held now counts as written by the next one (or the dataset). */
    private static void removeSnapshot(Ds d, Snap s) {
        int i = d.snapshots.indexOf(s);
        d.snapshots.remove(i);
        if (i < d.snapshots.size()) {
            d.snapshots.get(i).written += s.written;
        } else {
            d.written += s.written;
        }
    }

    private int rollback(List<String> args) throws ZfsError {
        boolean recursive = args.contains("-r");
        String target = args.get(args.size() - 1);
        String[] p = split(target, '@');
        Ds d = datasets.get(p[0]);
        Snap s = d == null ? null : d.snapshot(p[1]);
        if (s == null) {
            throw new ZfsError("cannot open '" + target + "': dataset does not exist");
        }
        List<Snap> later = d.snapshots.stream().filter(x -> x.createtxg > s.createtxg).toList();
        if (!later.isEmpty() && !recursive) {
            throw new ZfsError("cannot rollback to '" + target + "': more recent snapshots or bookmarks exist\n"
                    + "use '-r' to force deletion of the following snapshots and bookmarks:");
        }
        for (Snap x : later) {
            if (!x.holds.isEmpty()) {
                throw new ZfsError("cannot destroy '" + d.name + "@" + x.name + "': dataset is busy");
            }
        }
        d.snapshots.removeAll(later);
        d.bookmarks.removeIf(b -> b.createtxg() > s.createtxg);
        d.written = 0;
        return 0;
    }

    private int createCommand(List<String> args) throws ZfsError {
        boolean parents = args.contains("-p");
        String dataset = args.get(args.size() - 1);
        if (datasets.containsKey(dataset)) {
            if (parents) {
                return 0;
            }
            throw new ZfsError("cannot create '" + dataset + "': dataset already exists");
        }
        if (!datasets.containsKey(poolOf(dataset))) {
            throw new ZfsError("cannot create '" + dataset + "': no such pool '" + poolOf(dataset) + "'");
        }
        if (!parents && !datasets.containsKey(parent(dataset))) {
            throw new ZfsError("cannot create '" + dataset + "': parent does not exist");
        }
        createWithParents(dataset, null);
        return 0;
    }

    /** {@code zfs receive -A DS}. */
    private int receiveAbort(List<String> args) throws ZfsError {
        if (!args.contains("-A")) {
            throw new ZfsError(2, "zfs receive reads a stream: start it as a pipeline stage");
        }
        String dataset = args.get(args.size() - 1);
        Ds d = datasets.get(dataset);
        if (d == null) {
            throw new ZfsError("cannot resume receive: '" + dataset + "': dataset does not exist");
        }
        if (d.partial == null) {
            throw new ZfsError("'" + dataset + "' does not have any resumable receive state to abort");
        }
        if (d.partialOnly) {
            datasets.remove(dataset);
        } else {
            d.partial = null;
        }
        return 0;
    }

    /** {@code zfs send -n -P ...}: the stream's size, without sending it. */
    private int sendEstimate(List<String> args, StringBuilder out) throws ZfsError {
        if (!args.contains("-n")) {
            throw new ZfsError(2, "zfs send writes a stream: start it as a pipeline stage");
        }
        SendPlan plan = planSend(args);
        long total = FakeStream.END.length;
        for (FakeStream.Record r : plan.records) {
            total += r.length();
            if (args.contains("-P")) {
                out.append(r.fromGuid() == 0 ? "full\t" + r.toName() : "incremental\t" + r.fromGuid() + "\t" + r.toName())
                        .append('\t').append(r.length()).append('\n');
            }
        }
        out.append("size\t").append(total).append('\n');
        return 0;
    }

    // ---------------------------------------------------------------- streams

    private record SendPlan(String dataset, List<FakeStream.Record> records) {
    }

    /** What {@code zfs send} would put in its stream (under the lock). */
    private SendPlan planSend(List<String> args) throws ZfsError {
        boolean raw = false;
        boolean compressed = false;
        boolean largeBlock = false;
        boolean embed = false;
        String from = null;
        boolean intermediates = false;
        String token = null;
        String snapshot = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-i" -> from = args.get(++i);
                case "-I" -> {
                    from = args.get(++i);
                    intermediates = true;
                }
                case "-t" -> token = args.get(++i);
                default -> {
                    if (a.startsWith("-")) {
                        raw |= a.contains("w");
                        compressed |= a.contains("c");
                        largeBlock |= a.contains("L");
                        embed |= a.contains("e");
                    } else {
                        snapshot = a;
                    }
                }
            }
        }
        if (token != null) {
            return planResume(token);
        }
        if (snapshot == null || !snapshot.contains("@")) {
            throw new ZfsError(2, "missing snapshot argument");
        }
        String[] p = split(snapshot, '@');
        Ds d = datasets.get(p[0]);
        Snap to = d == null ? null : d.snapshot(p[1]);
        if (to == null) {
            throw new ZfsError("cannot open '" + snapshot + "': dataset does not exist");
        }
        boolean encrypted = d.encrypted;
        List<FakeStream.Record> records = new ArrayList<>();
        if (from == null) {
            long size = OVERHEAD;
            for (Snap s : d.snapshots) {
                if (s.createtxg <= to.createtxg) {
                    size += s.written;
                }
            }
            records.add(new FakeStream.Record(snapshot, to.guid, to.creation, to.written, 0, size, 0, raw, encrypted,
                    compressed, largeBlock, embed, false));
            return new SendPlan(d.name, records);
        }
        if (from.startsWith("@") || from.startsWith("#")) {
            from = d.name + from;
        }
        long fromGuid;
        long fromTxg;
        boolean fromBookmark = from.contains("#");
        String fromDataset = fromBookmark ? split(from, '#')[0] : split(from, '@')[0];
        if (!fromDataset.equals(d.name)) {
            throw new ZfsError("cannot send '" + snapshot + "': not an earlier snapshot from the same fs");
        }
        if (fromBookmark) {
            Bm b = d.bookmark(split(from, '#')[1]);
            if (b == null) {
                throw new ZfsError("cannot open '" + from + "': dataset does not exist");
            }
            if (intermediates) {
                throw new ZfsError(2, "cannot send '" + snapshot + "': -I cannot start from a bookmark (" + from + ")");
            }
            fromGuid = b.guid();
            fromTxg = b.createtxg();
        } else {
            Snap f = d.snapshot(split(from, '@')[1]);
            if (f == null) {
                throw new ZfsError("cannot open '" + from + "': dataset does not exist");
            }
            fromGuid = f.guid;
            fromTxg = f.createtxg;
        }
        if (fromTxg >= to.createtxg) {
            throw new ZfsError("cannot send '" + snapshot + "': not an earlier snapshot from the same fs");
        }
        if (intermediates) {
            long previous = fromGuid;
            for (Snap s : d.snapshots) {
                if (s.createtxg > fromTxg && s.createtxg <= to.createtxg) {
                    records.add(new FakeStream.Record(d.name + "@" + s.name, s.guid, s.creation, s.written, previous,
                            s.written + OVERHEAD, 0, raw, encrypted, compressed, largeBlock, embed, false));
                    previous = s.guid;
                }
            }
        } else {
            long size = OVERHEAD;
            for (Snap s : d.snapshots) {
                if (s.createtxg > fromTxg && s.createtxg <= to.createtxg) {
                    size += s.written;
                }
            }
            records.add(new FakeStream.Record(snapshot, to.guid, to.creation, size - OVERHEAD, fromGuid, size, 0, raw,
                    encrypted, compressed, largeBlock, embed, false));
        }
        return new SendPlan(d.name, records);
    }

    private SendPlan planResume(String text) throws ZfsError {
        ResumeToken token;
        try {
            token = ResumeToken.decode(text);
        } catch (IllegalArgumentException e) {
            throw new ZfsError("cannot resume send: " + e.getMessage());
        }
        String[] p = split(token.toName(), '@');
        Ds d = datasets.get(p[0]);
        Snap to = null;
        if (d != null) {
            for (Snap s : d.snapshots) {
                if (s.guid == token.toGuid()) {
                    to = s;
                }
            }
        }
        if (to == null) {
            throw new ZfsError("cannot resume send: '" + token.toName() + "' used in the initial send no longer exists");
        }
        long size;
        if (token.fromGuid() == 0) {
            size = OVERHEAD;
            for (Snap s : d.snapshots) {
                if (s.createtxg <= to.createtxg) {
                    size += s.written;
                }
            }
        } else {
            long fromTxg = -1;
            for (Snap s : d.snapshots) {
                if (s.guid == token.fromGuid()) {
                    fromTxg = s.createtxg;
                }
            }
            for (Bm b : d.bookmarks) {
                if (b.guid() == token.fromGuid()) {
                    fromTxg = b.createtxg();
                }
            }
            if (fromTxg < 0) {
                throw new ZfsError("cannot resume send: incremental source 0x" + Long.toHexString(token.fromGuid())
                        + " no longer exists");
            }
            size = OVERHEAD;
            for (Snap s : d.snapshots) {
                if (s.createtxg > fromTxg && s.createtxg <= to.createtxg) {
                    size += s.written;
                }
            }
        }
        String toName = d.name + "@" + to.name;
        FakeStream.Record r = new FakeStream.Record(toName, to.guid, to.creation, size - OVERHEAD, token.fromGuid(),
                size, Math.min(token.bytes(), size), token.raw(), d.encrypted, token.compressed(), token.largeBlock(),
                token.embed(), true);
        return new SendPlan(d.name, List.of(r));
    }

    private FakeProcess.Body body(Command stage) {
        List<String> a = stage.argv();
        if (a.size() >= 2 && a.get(0).equals("zfs") && a.get(1).equals("send")) {
            return (in, out, err, self) -> send(a.subList(2, a.size()), out, err, self);
        }
        if (a.size() >= 2 && a.get(0).equals("zfs") && (a.get(1).equals("receive") || a.get(1).equals("recv"))) {
            return (in, out, err, self) -> receive(a.subList(2, a.size()), in, err, self);
        }
        // mbuffer, zstd, lz4, pv...: the data passes through unchanged.
        return (in, out, err, self) -> passThrough(a.get(0), in, out, err);
    }

    private static int passThrough(String program, InputStream in, OutputStream out, StringBuilder err) {
        byte[] buffer = new byte[16 * 1024];
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
            return 0;
        } catch (IOException e) {
            err.append(program).append(": ").append(e.getMessage()).append('\n');
            return 1;
        }
    }

    private int send(List<String> args, OutputStream out, StringBuilder err, FakeProcess self) {
        SendPlan plan;
        synchronized (this) {
            try {
                plan = planSend(args);
            } catch (ZfsError e) {
                err.append(e.getMessage()).append('\n');
                return e.exit;
            }
        }
        long limit = Long.MAX_VALUE;
        Fault cut = takeFault("cut", plan.dataset());
        Fault inside = takeFault("cutInside", plan.dataset());
        if (cut != null) {
            limit = cut.number();
        } else if (inside != null) {
            int k = (int) (inside.number() >>> 40);
            long into = inside.number() & ((1L << 40) - 1);
            long at = 0;
            for (int i = 0; i < plan.records().size() && i < k - 1; i++) {
                at += plan.records().get(i).length();
            }
            FakeStream.Record r = plan.records().get(Math.min(k, plan.records().size()) - 1);
            limit = at + r.header().length + Math.min(into, r.remaining() - 1);
            cut = inside;
        }
        String snapshot = plan.records().isEmpty() ? "?" : plan.records().get(plan.records().size() - 1).toName();
        try {
            long written = 0;
            for (FakeStream.Record r : plan.records()) {
                byte[] header = r.header();
                long take = Math.min(header.length, limit - written);
                out.write(header, 0, (int) take);
                written += take;
                long payload = Math.min(r.remaining(), limit - written);
                FakeStream.writePayload(out, r.toGuid(), r.offset(), r.offset() + payload);
                written += payload;
                if (written >= limit) {
                    out.flush();
                    err.append(cut.stderr());
                    return cut.exit();
                }
            }
            out.write(FakeStream.END);
            return 0;
        } catch (IOException e) {
            if (self.killed()) {
                return FakeProcess.KILLED;
            }
            err.append("warning: cannot send '").append(snapshot).append("': Broken pipe\n");
            return 1;
        }
    }

    private int receive(List<String> args, InputStream in, StringBuilder err, FakeProcess self) {
        boolean force = false;
        Map<String, String> properties = new TreeMap<>();
        String target = args.get(args.size() - 1);
        for (int i = 0; i < args.size() - 1; i++) {
            switch (args.get(i)) {
                case "-F" -> force = true;
                case "-o" -> {
                    String kv = args.get(++i);
                    properties.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
                case "-x" -> i++;
                default -> {
                    // -s (always: receives keep resumable state), -u, -v
                }
            }
        }
        Fault fail = takeFault("failReceive", target);
        if (fail != null) {
            err.append(fail.stderr());
            return fail.exit();
        }
        Fault lose = takeFault("lose", target);
        Fault hook = takeFault("onReceived", target);
        long[] count = {0};
        int received = 0;
        while (true) {
            String line;
            try {
                line = FakeStream.readLine(in, count);
            } catch (IOException e) {
                line = null;
            }
            if (line == null) {
                if (self.killed()) {
                    return FakeProcess.KILLED;
                }
                err.append(received == 0 ? "cannot receive: failed to read from stream\n"
                        : "cannot receive: failed to read from stream (it ended between two snapshots)\n");
                return 1;
            }
            if (line.equals(new String(FakeStream.END, java.nio.charset.StandardCharsets.US_ASCII).strip())) {
                if (lose != null) {
                    err.append(lose.stderr());
                    return lose.exit();
                }
                return 0;
            }
            FakeStream.Record r;
            try {
                r = FakeStream.Record.parse(line);
            } catch (IllegalArgumentException e) {
                err.append("cannot receive: ").append(e.getMessage()).append('\n');
                return 1;
            }
            String kind = r.resume() ? "resume" : r.fromGuid() == 0 ? "new filesystem" : "incremental";
            synchronized (this) {
                try {
                    begin(target, r, force);
                } catch (ZfsError e) {
                    err.append("cannot receive ").append(kind).append(" stream: ").append(e.getMessage()).append('\n');
                    return 1;
                }
            }
            long got = 0;
            boolean cut = false;
            byte[] buffer = new byte[16 * 1024];
            while (got < r.remaining()) {
                int n;
                try {
                    n = in.read(buffer, 0, (int) Math.min(buffer.length, r.remaining() - got));
                } catch (IOException e) {
                    n = -1;
                }
                if (n < 0) {
                    cut = true;
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != FakeStream.payload(r.toGuid(), r.offset() + got + i)) {
                        synchronized (this) {
                            keepPartial(target, r, r.offset() + got + i, properties);
                        }
                        err.append("cannot receive ").append(kind).append(" stream: checksum mismatch\n");
                        return 1;
                    }
                }
                got += n;
                count[0] += n;
                if (hook != null && count[0] >= hook.number()) {
                    Runnable action = (Runnable) hook.action();
                    hook = null;
                    action.run();
                }
            }
            if (cut) {
                String token;
                synchronized (this) {
                    token = keepPartial(target, r, r.offset() + got, properties);
                }
                if (self.killed()) {
                    return FakeProcess.KILLED;
                }
                err.append("cannot receive ").append(kind).append(" stream: checksum mismatch or incomplete stream.\n")
                        .append("Partially received snapshot is saved.\n")
                        .append("A resuming stream can be generated on the sending system by running:\n")
                        .append("    zfs send -t ").append(token).append('\n');
                return 1;
            }
            synchronized (this) {
                finish(target, r, properties);
            }
            received++;
        }
    }

    /** Checks a snapshot's stream against the target before any of its data is received. */
    private void begin(String target, FakeStream.Record r, boolean force) throws ZfsError {
        Ds d = datasets.get(target);
        if (r.resume()) {
            if (d == null || d.partial == null) {
                throw new ZfsError("destination " + target + " has no resumable receive state");
            }
            if (d.partial.record().toGuid() != r.toGuid() || d.partial.bytes() != r.offset()) {
                throw new ZfsError("the resume stream does not match the partial receive of " + target);
            }
            return;
        }
        if (d != null && d.partial != null) {
            throw new ZfsError("destination " + target + " contains partially-complete state from \"zfs receive -s\".");
        }
        if (r.fromGuid() == 0) {
            if (d != null) {
                if (!force) {
                    throw new ZfsError("destination '" + target + "' exists\nmust specify -F to overwrite it");
                }
                if (!d.snapshots.isEmpty()) {
                    throw new ZfsError("destination has snapshots (eg. " + target + "@" + d.snapshots.get(0).name
                            + ")\nmust destroy them to overwrite it");
                }
            } else if (parent(target) != null && !datasets.containsKey(parent(target))) {
                throw new ZfsError("parent of '" + target + "' does not exist");
            }
            return;
        }
        if (d == null) {
            throw new ZfsError("destination '" + target + "' does not exist");
        }
        Snap newest = d.newest();
        if (newest == null || newest.guid != r.fromGuid()) {
            Snap base = null;
            for (Snap s : d.snapshots) {
                if (s.guid == r.fromGuid()) {
                    base = s;
                }
            }
            if (!force || base == null) {
                throw new ZfsError("most recent snapshot of " + target + " does not match incremental source");
            }
            Snap keep = base;
            for (Snap s : d.snapshots) {
                if (s.createtxg > keep.createtxg && !s.holds.isEmpty()) {
                    throw new ZfsError("destination " + target + "@" + s.name + " is busy");
                }
            }
            d.snapshots.removeIf(s -> s.createtxg > keep.createtxg);
            d.written = 0;
        }
        if (d.written > 0) {
            if (!force) {
                throw new ZfsError("destination " + target + " has been modified\nsince most recent snapshot");
            }
            d.written = 0;
        }
        if (d.snapshot(r.shortName()) != null) {
            throw new ZfsError("destination '" + target + "@" + r.shortName() + "' exists");
        }
    }

    private String keepPartial(String target, FakeStream.Record r, long bytes, Map<String, String> properties) {
        Ds d = datasets.get(target);
        if (d == null) {
            d = createDataset(target, r.raw() && r.encrypted());
            d.partialOnly = true;
            d.properties.putAll(properties);
        }
        String token = FakeTokens.token(r.toGuid(), r.toName(), r.fromGuid(), bytes, r.raw(), r.compressed(),
                r.largeBlock(), r.embed());
        d.partial = new Partial(r, bytes, token);
        return token;
    }

    private void finish(String target, FakeStream.Record r, Map<String, String> properties) {
        Ds d = datasets.get(target);
        if (d == null) {
            d = createDataset(target, r.raw() && r.encrypted());
            d.properties.putAll(properties);
        } else if (r.fromGuid() == 0 && !r.resume()) {
            // -F over an empty dataset: replaced by the received one.
            d.guid = newGuid();
            d.encrypted = r.raw() && r.encrypted();
            d.properties.putAll(properties);
        }
        d.partial = null;
        d.partialOnly = false;
        d.snapshots.add(new Snap(r.shortName(), r.toGuid(), nextTxg(), r.creation(), r.written()));
        d.written = 0;
    }

    // ---------------------------------------------------------------- helpers

    private Ds createDataset(String dataset, boolean encrypted) {
        Ds d = new Ds(dataset);
        d.guid = newGuid();
        d.createtxg = nextTxg();
        d.creation = clock;
        d.encrypted = encrypted;
        datasets.put(dataset, d);
        return d;
    }

    private void createWithParents(String dataset, Boolean encrypted) {
        if (!datasets.containsKey(poolOf(dataset))) {
            throw new IllegalArgumentException("no such pool '" + poolOf(dataset) + "'");
        }
        List<String> missing = new ArrayList<>();
        for (String d = dataset; d != null && !datasets.containsKey(d); d = parent(d)) {
            missing.add(0, d);
        }
        for (String d : missing) {
            boolean inherited = datasets.get(parent(d)).encrypted;
            createDataset(d, d.equals(dataset) && encrypted != null ? encrypted : inherited);
        }
    }

    private long nextTxg() {
        txg += 1 + random.nextInt(5);
        clock += 60;
        return txg;
    }

    /** A fresh 64-bit GUID (often above 2^63, as real ones are: printed unsigned). */
    private long newGuid() {
        long g;
        do {
            g = random.nextLong();
        } while (g == 0 || !usedGuids.add(g));
        return g;
    }

    private Ds ds(String dataset) {
        Ds d = datasets.get(dataset);
        if (d == null) {
            throw new IllegalArgumentException("no dataset " + dataset + " on " + name);
        }
        return d;
    }

    private Snap snap(String snapshot) {
        String[] p = split(snapshot, '@');
        Snap s = ds(p[0]).snapshot(p[1]);
        if (s == null) {
            throw new IllegalArgumentException("no snapshot " + snapshot + " on " + name);
        }
        return s;
    }

    private static String[] split(String name, char separator) {
        int i = name.indexOf(separator);
        if (i < 0) {
            throw new IllegalArgumentException("no '" + separator + "' in " + name);
        }
        return new String[] {name.substring(0, i), name.substring(i + 1)};
    }

    /** The dataset a command argument names ({@code fs}, {@code fs@s}, {@code fs#b}), or the argument itself. */
    private static String datasetOf(String arg) {
        int i = arg.indexOf('@');
        int j = arg.indexOf('#');
        int cut = i < 0 ? j : j < 0 ? i : Math.min(i, j);
        return cut < 0 ? arg : arg.substring(0, cut);
    }

    private static String parent(String dataset) {
        int slash = dataset.lastIndexOf('/');
        return slash < 0 ? null : dataset.substring(0, slash);
    }

    private static String poolOf(String dataset) {
        int slash = dataset.indexOf('/');
        return slash < 0 ? dataset : dataset.substring(0, slash);
    }

    private static int depthOf(String dataset) {
        int n = 0;
        for (int i = 0; i < dataset.length(); i++) {
            if (dataset.charAt(i) == '/') {
                n++;
            }
        }
        return n;
    }

    private static boolean isSelfOrDescendant(String dataset, String ancestor) {
        return dataset.equals(ancestor) || dataset.startsWith(ancestor + "/");
    }

    /** Every snapshot name on this host, for debugging a failing test. */
    public synchronized String dump() {
        StringBuilder b = new StringBuilder();
        for (Ds d : datasets.values()) {
            b.append(d.name).append(d.partial != null ? " (partial " + d.partial.record().toName() + ")" : "")
                    .append('\n');
            for (Snap s : d.snapshots) {
                b.append("  @").append(s.name).append(' ').append(Long.toHexString(s.guid)).append(' ')
                        .append(s.holds.keySet()).append('\n');
            }
            for (Bm bm : d.bookmarks) {
                b.append("  #").append(bm.name()).append(' ').append(Long.toHexString(bm.guid())).append('\n');
            }
        }
        return b.toString();
    }

    /** Snapshot names of a dataset as a set, for assertions that ignore order. */
    public synchronized Set<String> snapshotSet(String dataset) {
        return new TreeSet<>(snapshots(dataset));
    }

    /** Tags held anywhere on this host. */
    public synchronized Map<String, Integer> userrefs() {
        Map<String, Integer> refs = new LinkedHashMap<>();
        for (Ds d : datasets.values()) {
            for (Snap s : d.snapshots) {
                refs.put(d.name + "@" + s.name, s.holds.size());
            }
        }
        return refs;
    }
}
