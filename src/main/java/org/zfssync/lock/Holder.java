package org.zfssync.lock;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.zfssync.zfs.DatasetName;

/**
 * A live run as its lock file describes it, one field per line:
 * <pre>
 * pid 12345
 * since 2026-11-24T10:53:00Z
 * runs zfs-sync run home
 * job home
 * target backup@nas&#9;pool/backup/home&#9;recursive
 * </pre>
 * ({@code job} only for jobs; one {@code target} line per target: host, dataset and
 * {@code recursive} or {@code single}, separated by tabs, which neither a host nor a dataset name can hold).
 *
 * @param pid the holder's process id, -1 when the file does not say
 */
public record Holder(long pid, Instant since, RunClaim claim) {
    public String text() {
        StringBuilder text = new StringBuilder();
        text.append("pid ").append(pid).append('\n');
        text.append("since ").append(since).append('\n');
        text.append("runs ").append(claim.command()).append('\n');
        claim.job().ifPresent(j -> text.append("job ").append(j).append('\n'));
        for (LockTarget t : claim.targets()) {
            text.append("target ").append(t.host()).append('\t').append(t.dataset()).append('\t')
                    .append(t.recursive() ? "recursive" : "single").append('\n');
        }
        return text.toString();
    }

    /**
     * Reads a lock file leniently: a line it does not understand is skipped, so a holder is still
     * named (and its other targets still honoured) whatever else the file holds.
     */
    public static Holder parse(String text) {
        long pid = -1;
        Instant since = Instant.EPOCH;
        String runs = "an unknown command";
        Optional<String> job = Optional.empty();
        List<LockTarget> targets = new ArrayList<>();
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            String key = space < 0 ? line : line.substring(0, space);
            String value = space < 0 ? "" : line.substring(space + 1);
            try {
                switch (key) {
                    case "pid" -> pid = Long.parseLong(value);
                    case "since" -> since = Instant.parse(value);
                    case "runs" -> runs = value;
                    case "job" -> job = Optional.of(value);
                    case "target" -> {
                        String[] f = value.split("\t", -1);
                        if (f.length == 3) {
                            targets.add(new LockTarget(f[0], DatasetName.of(f[1]), !"single".equals(f[2])));
                        }
                    }
                    default -> {
                        // Not ours to understand; see the method comment.
                    }
                }
            } catch (NumberFormatException | DateTimeParseException e) {
                // Same: the rest of the file still names the holder.
            } catch (IllegalArgumentException e) {
                // An invalid dataset name: nothing to compare it with.
            }
        }
        return new Holder(pid, since, new RunClaim(job, runs, targets));
    }

    /** "pid 12345 (zfs-sync run home, since 2026-11-24T10:53:00Z)". */
    public String describe() {
        return "pid " + (pid < 0 ? "unknown" : Long.toString(pid)) + " (" + claim.command() + ", since " + since + ")";
    }
}
