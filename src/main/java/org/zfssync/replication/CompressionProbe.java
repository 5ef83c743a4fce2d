package org.zfssync.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Helper;
import org.zfssync.host.HelperState;
import org.zfssync.host.Host;
import org.zfssync.host.Pipeline;
import org.zfssync.host.RunningPipeline;
import org.zfssync.zfs.DatasetName;

/**
 * {@code --compress auto}: once per run and host pair, a short timed sample decides whether the
 * link or the CPU limits the stream, and so which compressor (if any) makes it fastest
 * ({@link CompressionModel}). The sample is a few MiB of a real {@code zfs send}: the newest
 * snapshot of the largest unencrypted dataset under the source, its first {@value #SKIP} bytes
 * skipped: a stream begins with object metadata, which compresses far better than the data that
 * follows, and a send reads slowly until its prefetch gets going (a send rate measured too low
 * would tie every option at it, and so choose none on a link that compression would speed up). The data of the dataset to be sent predicts its compressibility better than any
 * synthetic sample; the first step's own stream cannot be sampled here, since its snapshot is
 * taken only after planning.
 *
 * <p>All of it is one stream through the run's own transport, as the streams will run (the
 * relay crosses this machine twice): on the source a script times the send, then each compressor
 * on the sample (which gives its rate and ratio), then sends the sample; on the target a script
 * times its arrival after the first 64 KiB (so setting up the connections does not count), then
 * each decompressor. Timing is done on each host ({@code date +%s%N}), not from here, so round
 * trips do not count. Whatever fails (a helper, a clock without nanoseconds, a timeout) leaves the
 * preference (zstd, then lz4) with a warning, never a failed run. The sample's files are made
 * with {@code mktemp} and removed by the scripts that made them.
 */
final class CompressionProbe {
    private static final Logger LOG = LoggerFactory.getLogger(CompressionProbe.class);
    static final int SKIP = 1024 * 1024;
    static final int SAMPLE = 1024 * 1024;
    /** The receiving side starts its clock after this much has arrived. */
    static final int LINK_HEAD = 64 * 1024;
    /** Less than this is too little to time anything. */
    static final int MIN_SAMPLE = 256 * 1024;
    static final Duration LIMIT = Duration.ofSeconds(60);

    /**
     * The sending end of the sample's stream, on the source: finds what to sample, times the send
     * and each compressor, reports on stderr, then sends the sample on stdout. Constant text.
     */
    static final String SOURCE_SCRIPT = String.join("\n",
            "exec 3>&1 1>&2",
            "T=",
            "if command -v timeout >/dev/null 2>&1; then T='timeout 20'; fi",
            "now() { date +%s%N; }",
            "echo \"clock start $(now)\"",
            "ds=$1 skip=$2 size=$3",
            "shift 3",
            "list=$(zfs list -H -p -o name,encryption -t filesystem,volume -s referenced -r -- \"$ds\") || exit 1",
            "big=$(printf '%s\\n' \"$list\" | awk -F '\\t' '$2 == \"off\" || $2 == \"-\" { n = $1 } END { print n }')",
            "if [ -z \"$big\" ]; then echo encrypted; exit 0; fi",
            "snap=$(zfs list -H -o name -t snapshot -s createtxg -d 1 -- \"$big\") || exit 1",
            "snap=$(printf '%s\\n' \"$snap\" | tail -n 1)",
            "if [ -z \"$snap\" ]; then echo \"nosnapshot $big\"; exit 0; fi",
            "echo \"clock listed $(now)\"",
            "umask 077",
            "d=$(mktemp -d \"${TMPDIR:-/tmp}/zfs-sync-sample.XXXXXX\") || exit 1",
            "trap 'rm -rf \"$d\"' EXIT",
            "trap 'exit 1' HUP INT TERM PIPE",
            "echo \"snapshot $snap\"",
            "$T zfs send -- \"$snap\" 2>\"$d/e\" | { head -c \"$skip\" >/dev/null; now >\"$d/t\"; "
                    + "head -c \"$size\" >\"$d/s\"; now >>\"$d/t\"; }",
            "echo \"send $(tr '\\n' ' ' <\"$d/t\")$(wc -c <\"$d/s\")\"",
            "echo \"senderr $(head -n 1 \"$d/e\")\"",
            "for c in \"$@\"; do",
            "  case $c in",
            "    lz4) a=$(now); $T lz4 -q -c <\"$d/s\" >\"$d/c\"; r=$?; b=$(now) ;;",
            "    zstd-*) a=$(now); $T zstd -q -c \"-${c#zstd-}\" <\"$d/s\" >\"$d/c\"; r=$?; b=$(now) ;;",
            "    *) continue ;;",
            "  esac",
            "  if [ \"$r\" -eq 0 ]; then echo \"pack $c $a $b $(wc -c <\"$d/c\")\"; else echo \"fail $c exit $r\"; fi",
            "done",
            "echo \"clock packed $(now)\"",
            "cat \"$d/s\" >&3",
            "echo \"clock sent $(now)\"");

    /**
     * The receiving end of the sample's stream, on the target: times the sample's arrival after
     * its first {@value #LINK_HEAD} bytes, then each decompressor; reports on stderr. Constant text.
     */
    static final String TARGET_SCRIPT = String.join("\n",
            "T=",
            "if command -v timeout >/dev/null 2>&1; then T='timeout 20'; fi",
            "now() { date +%s%N; }",
            "umask 077",
            "d=$(mktemp -d \"${TMPDIR:-/tmp}/zfs-sync-sample.XXXXXX\") || exit 1",
            "trap 'rm -rf \"$d\"' EXIT",
            "trap 'exit 1' HUP INT TERM PIPE",
            "echo \"clock start $(now)\" >&2",
            "head -c " + LINK_HEAD + " >\"$d/s\"; a=$(now); cat >>\"$d/s\"; b=$(now)",
            "n=$(wc -c <\"$d/s\")",
            "echo \"link $a $b $n\" >&2",
            "if [ \"$n\" -le " + LINK_HEAD + " ]; then exit 0; fi",
            "for c in \"$@\"; do",
            "  case $c in",
            "    lz4) $T lz4 -q -c <\"$d/s\" >\"$d/c\" && a=$(now) && $T lz4 -q -d -c <\"$d/c\" >/dev/null "
                    + "&& b=$(now) && echo \"unpack $c $a $b\" >&2 ;;",
            "    zstd) $T zstd -q -c -1 <\"$d/s\" >\"$d/c\" && a=$(now) && $T zstd -q -d -c <\"$d/c\" >/dev/null "
                    + "&& b=$(now) && echo \"unpack $c $a $b\" >&2 ;;",
            "  esac || echo \"fail $c\" >&2",
            "done",
            "echo \"clock end $(now)\" >&2");

    private CompressionProbe() {
    }

    /** The shape the run uses after {@code auto} decided, and the line that says what it chose and why. */
    record Outcome(StreamShape shape, Optional<String> note) {
    }

    /** Why nothing was measured: nothing to sample (said plainly), or a failure (a warning). */
    static final class NotMeasured extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean failure;

        NotMeasured(String why, boolean failure) {
            super(why);
            this.failure = failure;
        }

        boolean failure() {
            return failure;
        }
    }

    /**
     * The run's shape with the compressor {@code auto} chose; unchanged (no measuring) for an
     * explicit {@code --compress}, without a network hop, or when neither compressor is on both ends.
     */
    static Outcome settle(TransferSettings settings, StreamShape shape, boolean networkHop, Host source, Host target,
                          DatasetName dataset, Transport transport, HostReport sourceReport, HostReport targetReport) {
        if (settings.compression() != CompressionMode.AUTO || !networkHop) {
            return new Outcome(shape, Optional.empty());
        }
        Set<Helper> both = EnumSet.noneOf(Helper.class);
        for (Helper h : CompressionMode.AUTO.candidates()) {
            if (sourceReport.status(h) == HelperState.Status.OK && targetReport.status(h) == HelperState.Status.OK) {
                both.add(h);
            }
        }
        if (both.isEmpty()) {
            return new Outcome(shape, Optional.empty());
        }
        List<Compression> candidates = new ArrayList<>();
        if (both.contains(Helper.LZ4)) {
            candidates.add(Compression.lz4());
        }
        if (both.contains(Helper.ZSTD)) {
            candidates.add(Compression.zstd(1));
            candidates.add(Compression.zstd(Compression.ZSTD_DEFAULT));
        }
        RateLimiter limiter = settings.limiter();
        long started = System.nanoTime();
        try {
            CompressionSample sample = measure(source, target, dataset, transport, candidates);
            CompressionModel.Decision d = CompressionModel.decide(sample, limiter == null ? 0 : limiter.rate());
            String line = d.line() + String.format(java.util.Locale.ROOT, ", measured in %.1f s",
                    (System.nanoTime() - started) / 1e9);
            LOG.info(line);
            return new Outcome(shape.withCompression(d.compression()), Optional.of(line));
        } catch (NotMeasured e) {
            return fallback(shape, e.getMessage(), e.failure());
        } catch (RuntimeException e) {
            return fallback(shape, "the measurement failed: " + e.getMessage(), true);
        }
    }

    private static Outcome fallback(StreamShape shape, String why, boolean failure) {
        String chosen = shape.compression().map(Compression::label).orElse("none");
        String line = "compress auto: " + chosen + " (preferred; not measured: " + why + ")";
        if (failure) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
        return new Outcome(shape, Optional.of(line));
    }

    /**
     * Measures, in one stream through the run's transport (no control command): the source's
     * script times its part, then sends the sample; the target's times the rest. Throws
     * {@link NotMeasured} with the reason when it cannot.
     */
    static CompressionSample measure(Host source, Host target, DatasetName dataset, Transport transport,
                                     List<Compression> candidates) throws NotMeasured {
        RunningStream.Ended ended = run(transport, pipeline(dataset, candidates), target.name());
        return figures(ended, source.name(), target.name(), dataset, transport.name(), candidates);
    }

    /** The sample's stream: the source's script sends, the target's receives. */
    static TransferPipeline pipeline(DatasetName dataset, List<Compression> candidates) {
        List<String> pack = new ArrayList<>(List.of("sh", "-c", SOURCE_SCRIPT, "sh", dataset.value(),
                Integer.toString(SKIP), Integer.toString(SAMPLE)));
        candidates.forEach(c -> pack.add(c.label()));
        List<String> unpack = new ArrayList<>(List.of("sh", "-c", TARGET_SCRIPT, "sh"));
        candidates.stream().map(c -> c.tool().program()).distinct().forEach(unpack::add);
        return new TransferPipeline(Pipeline.of(Command.reading(pack)), Pipeline.of(Command.reading(unpack)));
    }

    /** The figures from how the sample's stream ended, or why there are none. */
    static CompressionSample figures(RunningStream.Ended ended, String source, String target, DatasetName dataset,
                                     String transport, List<Compression> candidates) throws NotMeasured {
        // Nothing to sample is said by the source, whatever the target made of no data.
        SourceFigures src = SourceFigures.parse(ended.sent().get(0), source, dataset);
        if (!RunningPipeline.allOk(ended.sent()) || !RunningPipeline.allOk(ended.received())) {
            List<CommandResult> all = new ArrayList<>(ended.received());
            all.addAll(ended.sent());
            CommandResult bad = Transfer.culprit(all);
            throw new NotMeasured("the sample through " + transport + " failed on " + bad.host() + " (exit "
                    + bad.exitCode() + "): " + errorLine(bad), true);
        }
        src.complete(source);
        StringBuilder said = new StringBuilder();
        ended.received().forEach(c -> said.append(c.stderr()).append('\n'));
        if (LOG.isDebugEnabled()) {
            LOG.debug("compress auto: the sample took, on {}: {}; on {}: {}", source,
                    phases(ended.sent().get(0).stderr(), "start", "listing", "listed", "starting zfs send", "send",
                            "zfs send", "send2", "compressing", "packed", "sending the sample", "sent"), target,
                    phases(said.toString(), "start", "waiting for it", "link", "receiving", "link2",
                            "compressing and decompressing", "end"));
        }
        return TargetFigures.parse(said.toString(), target).sample(src, candidates);
    }

    private static final java.util.Set<String> OURS = java.util.Set.of("clock", "snapshot", "send", "senderr", "pack",
            "fail", "link", "unpack");

    /** The first line of a failed script's stderr that is not one of the figures it reports. */
    static String errorLine(CommandResult r) {
        return r.stderr().lines().map(String::strip).filter(l -> !l.isEmpty() && !OURS.contains(l.split("\\s+")[0]))
                .findFirst().orElse("exit status " + r.exitCode());
    }

    /**
     * How long each phase of a script took, from its {@code clock} lines (and the send and link
     * lines, whose second and third words are clocks): {@code marks} alternate a clock's name and
     * the name of the phase that ends at the next clock.
     */
    static String phases(String said, String... marks) {
        Map<String, Long> clocks = new HashMap<>();
        for (String line : said.lines().toList()) {
            String[] w = line.strip().split("\\s+");
            try {
                if (w[0].equals("clock") && w.length == 3) {
                    clocks.put(w[1], Long.parseLong(w[2]));
                } else if ((w[0].equals("send") || w[0].equals("link")) && w.length == 4) {
                    clocks.put(w[0], Long.parseLong(w[1]));
                    clocks.put(w[0] + "2", Long.parseLong(w[2]));
                }
            } catch (NumberFormatException e) {
                // No nanoseconds: said elsewhere.
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i + 2 < marks.length; i += 2) {
            Long from = clocks.get(marks[i]);
            Long to = clocks.get(marks[i + 2]);
            if (from != null && to != null) {
                out.add(String.format(java.util.Locale.ROOT, "%s %.2f s", marks[i + 1], (to - from) / 1e9));
            }
        }
        return String.join(", ", out);
    }

    /** Runs the sample's stream to its end, or stops it after {@link #LIMIT}. */
    private static RunningStream.Ended run(Transport transport, TransferPipeline pipeline, String target)
            throws NotMeasured {
        RunningStream stream = transport.start(pipeline, null);
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(t -> {
            Thread thread = new Thread(t, "compression sample watchdog");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.schedule(() -> {
            timedOut.set(true);
            stream.stop();
        }, LIMIT.toSeconds(), TimeUnit.SECONDS);
        RunningStream.Ended ended;
        try {
            ended = stream.await();
        } finally {
            watchdog.shutdownNow();
        }
        if (timedOut.get()) {
            throw new NotMeasured("the sample did not reach " + target + " within " + LIMIT.toSeconds() + " s", true);
        }
        return ended;
    }

    /** Nanoseconds to a rate; a step too fast for the clock counts as one millisecond. */
    static double rate(long bytes, long startNanos, long endNanos) {
        return bytes / (Math.max(endNanos - startNanos, 1_000_000L) / 1e9);
    }

    /** What the source's script printed on stderr; {@link #complete} says whether it is a measurement. */
    record SourceFigures(String snapshot, long sampleBytes, double sendRate, Map<String, Packed> packed,
                         String sendError, List<String> failed) {
        record Packed(double rate, long bytes) {
        }

        /** Reads what the script said; nothing to sample (encrypted, no snapshot) is thrown at once. */
        static SourceFigures parse(CommandResult r, String host, DatasetName dataset) throws NotMeasured {
            String snapshot = null;
            String sendError = "";
            long bytes = -1;
            double sendRate = 0;
            Map<String, Packed> packed = new HashMap<>();
            List<String> failed = new ArrayList<>();
            for (String line : r.stderr().lines().toList()) {
                String[] w = line.strip().split("\\s+");
                try {
                    switch (w[0]) {
                        case "encrypted" -> throw new NotMeasured("every dataset under " + dataset + " on " + host
                                + " is encrypted (sent raw, never compressed)", false);
                        case "nosnapshot" -> throw new NotMeasured("no snapshot of " + w[1] + " on " + host
                                + " to sample yet", false);
                        case "snapshot" -> snapshot = line.substring("snapshot ".length());
                        case "senderr" -> sendError = line.substring("senderr".length()).strip();
                        case "send" -> {
                            bytes = Long.parseLong(w[3]);
                            sendRate = rate(bytes, Long.parseLong(w[1]), Long.parseLong(w[2]));
                        }
                        case "pack" -> packed.put(w[1], new Packed(rate(bytes, Long.parseLong(w[2]),
                                Long.parseLong(w[3])), Long.parseLong(w[4])));
                        case "fail" -> failed.add(line.substring("fail ".length()));
                        default -> {
                            // Anything else (a login banner) is not ours to read.
                        }
                    }
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                    throw new NotMeasured("the clock on " + host + " gives no nanoseconds (`date +%s%N` said `"
                            + line.strip() + "`)", true);
                }
            }
            return new SourceFigures(snapshot, bytes, sendRate, packed, sendError, failed);
        }

        /** Throws unless the script sampled enough and every compressor worked. */
        SourceFigures complete(String host) throws NotMeasured {
            if (snapshot == null || sampleBytes < 0) {
                throw new NotMeasured("the sample on " + host + " said nothing usable", true);
            }
            if (sampleBytes < MIN_SAMPLE) {
                boolean sendFailed = sampleBytes == 0 && !sendError.isEmpty();
                throw new NotMeasured(sendFailed ? "zfs send " + snapshot + " on " + host + " failed: " + sendError
                        : snapshot + " on " + host + " has too little data to sample (" + sampleBytes + " bytes)",
                        sendFailed);
            }
            if (!failed.isEmpty()) {
                throw new NotMeasured("compressing the sample on " + host + " failed: " + String.join(", ", failed),
                        true);
            }
            return this;
        }
    }

    /** What the target's end of the sample's stream printed. */
    record TargetFigures(double linkRate, Map<String, Double> unpackRate) {
        static TargetFigures parse(String stderr, String host) throws NotMeasured {
            double link = 0;
            long arrived = 0;
            Map<String, Double> unpack = new HashMap<>();
            Map<String, long[]> unpackTimes = new HashMap<>();
            List<String> failed = new ArrayList<>();
            for (String line : stderr.lines().toList()) {
                String[] w = line.strip().split("\\s+");
                try {
                    switch (w[0]) {
                        case "link" -> {
                            arrived = Long.parseLong(w[3]);
                            link = rate(arrived - LINK_HEAD, Long.parseLong(w[1]), Long.parseLong(w[2]));
                        }
                        case "unpack" -> unpackTimes.put(w[1], new long[] {Long.parseLong(w[2]), Long.parseLong(w[3])});
                        case "fail" -> failed.add(w.length > 1 ? w[1] : line);
                        default -> {
                            // ssh's own words, a banner: not ours.
                        }
                    }
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                    throw new NotMeasured("the clock on " + host + " gives no nanoseconds (`date +%s%N` said `"
                            + line.strip() + "`)", true);
                }
            }
            if (arrived <= LINK_HEAD) {
                throw new NotMeasured("the sample did not arrive on " + host + " (" + arrived + " bytes)", true);
            }
            if (!failed.isEmpty()) {
                throw new NotMeasured("decompressing the sample on " + host + " failed: " + String.join(", ", failed),
                        true);
            }
            final long bytes = arrived;
            unpackTimes.forEach((tool, t) -> unpack.put(tool, rate(bytes, t[0], t[1])));
            return new TargetFigures(link, unpack);
        }

        CompressionSample sample(SourceFigures src, List<Compression> candidates) throws NotMeasured {
            List<CompressionSample.Codec> codecs = new ArrayList<>();
            for (Compression c : candidates) {
                SourceFigures.Packed p = src.packed().get(c.label());
                Double u = unpackRate.get(c.tool().program());
                if (p == null || u == null || p.bytes() <= 0) {
                    throw new NotMeasured("no figures for " + c.label(), true);
                }
                codecs.add(new CompressionSample.Codec(c, (double) src.sampleBytes() / p.bytes(), p.rate(), u));
            }
            return new CompressionSample(src.sendRate(), linkRate, codecs);
        }
    }
}
