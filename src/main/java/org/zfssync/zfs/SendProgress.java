package org.zfssync.zfs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.zfssync.host.Command;
import org.zfssync.host.Pipeline;

/**
 * A direct stream's byte count, read from what {@code zfs send -v -P} prints on its stderr: it
 * needs no stage of its own in the pipe (a counter such as {@code pv} cost the lab's one-CPU
 * guest 4 % of a direct stream's rate). {@code zfs send} first announces each snapshot's stream
 * with its estimated size ({@code full NAME SIZE}, {@code incremental FROM NAME SIZE}, then
 * {@code size TOTAL}); a resumed send first prints its token's contents. Then, once a second, it
 * prints {@code HH:MM:SS BYTES NAME}: the bytes sent so far of the snapshot being sent (each
 * snapshot of an {@code -I} stream counts from 0). Any other line is zfs send's own message.
 *
 * <p>The running total is the sum of each snapshot's last reported bytes. Progress comes once a
 * second and stops with the send, so the last second of each snapshot is never reported: for a
 * stream that ended well, each announced snapshot counts at least its announced size
 * ({@link #completedTotal()}). Counts are of the stream as {@code zfs send} writes it, before
 * any compressor. One instance reads one stream; it is read by one thread and asked by others.
 */
public final class SendProgress {
    private static final Pattern PROGRESS = Pattern.compile("\\d{2}:\\d{2}:\\d{2}\\t(\\d{1,19})\\t(?:\\d{1,19}\\t)?(\\S.*)");
    private static final Pattern ANNOUNCED = Pattern.compile("(?:full\\t(\\S+)|incremental\\t\\S*\\t(\\S+))\\t(\\d{1,19})");
    /** The total estimate, a resume token's contents (its header, nvlist's header, indented pairs), blank lines. */
    private static final Pattern ABOUT_THE_STREAM = Pattern.compile("size\\t\\d{1,19}|resume token contents:.*"
            + "|nvlist version: .*|\\s.*|");
    private final Map<String, long[]> snapshots = new LinkedHashMap<>();

    /** {@code send} with {@code -v -P} after {@code zfs send}, so that it reports its progress. */
    public static Command verbose(Command send) {
        List<String> argv = send.argv();
        if (argv.size() < 2 || !argv.get(0).equals("zfs") || !argv.get(1).equals("send")) {
            throw new IllegalArgumentException("not a zfs send: " + send);
        }
        List<String> verbose = new ArrayList<>(argv.subList(0, 2));
        verbose.addAll(List.of("-v", "-P"));
        verbose.addAll(argv.subList(2, argv.size()));
        return send.readOnly() ? Command.reading(verbose) : Command.changing(verbose);
    }

    /** {@code sender} with its first stage, {@code zfs send}, made {@link #verbose}. */
    public static Pipeline verbose(Pipeline sender) {
        List<Command> stages = new ArrayList<>(sender.stages());
        stages.set(0, verbose(stages.get(0)));
        return new Pipeline(stages);
    }

    /**
     * Reads one line of zfs send's stderr.
     *
     * @return false if the line is none of the progress report's: zfs send's own message, kept as its stderr
     */
    public synchronized boolean read(String line) {
        Matcher p = PROGRESS.matcher(line);
        if (p.matches()) {
            long[] s = snapshots.computeIfAbsent(p.group(2), k -> new long[] {-1, 0});
            s[1] = Math.max(s[1], Long.parseLong(p.group(1)));
            return true;
        }
        Matcher a = ANNOUNCED.matcher(line);
        if (a.matches()) {
            String name = a.group(1) != null ? a.group(1) : a.group(2);
            snapshots.computeIfAbsent(name, k -> new long[] {-1, 0})[0] = Long.parseLong(a.group(3));
            return true;
        }
        return ABOUT_THE_STREAM.matcher(line).matches();
    }

    /** Bytes reported so far. */
    public synchronized long total() {
        long sum = 0;
        for (long[] s : snapshots.values()) {
            sum += s[1];
        }
        return sum;
    }

    /** The bytes of a stream that ended well: each announced snapshot counted at least at its announced size. */
    public synchronized long completedTotal() {
        long sum = 0;
        for (long[] s : snapshots.values()) {
            sum += Math.max(s[0], s[1]);
        }
        return sum;
    }
}
