package org.zfssync.job;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.host.ShellCommand;
import org.zfssync.schedule.DurationText;

/**
 * A job's hooks ({@code hooks:} in the config): commands run by {@code /bin/sh -c} around its
 * snapshot and each target's replication, e.g. to quiesce a database. Each gets the job, dataset,
 * target, result, bytes and error in {@code ZFS_SYNC_*} variables, has a deadline (its process
 * tree is killed past it), and has its output logged. The commands of one hook run in turn and
 * stop at the first that fails.
 */
public final class Hooks {
    private static final Logger LOG = LoggerFactory.getLogger(Hooks.class);
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    public static final Hooks NONE = new Hooks(null);

    public enum Point {
        PRE_SNAPSHOT("pre-snapshot"), POST_SNAPSHOT("post-snapshot"), PRE_REPLICATE("pre-replicate"),
        POST_REPLICATE("post-replicate");

        private final String key;

        Point(String key) {
            this.key = key;
        }

        /** As the config writes it. */
        public String key() {
            return key;
        }
    }

    /**
     * What a hook is told.
     *
     * @param target null around the snapshot
     * @param result {@code ok} or {@code failed} for post hooks, null for pre hooks
     * @param bytes  bytes moved, for post-replicate; null otherwise
     * @param error  what failed, for a failed post hook; null otherwise
     */
    public record Context(String job, String dataset, String target, String result, Long bytes, String error) {
        public static Context before(String job, String dataset, String target) {
            return new Context(job, dataset, target, null, null, null);
        }

        Map<String, String> environment() {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("ZFS_SYNC_JOB", job);
            env.put("ZFS_SYNC_DATASET", dataset == null ? "" : dataset);
            env.put("ZFS_SYNC_TARGET", target == null ? "" : target);
            env.put("ZFS_SYNC_RESULT", result == null ? "" : result);
            env.put("ZFS_SYNC_BYTES", bytes == null ? "" : String.valueOf(bytes));
            env.put("ZFS_SYNC_ERROR", error == null ? "" : error);
            return env;
        }
    }

    private final HooksSpec spec;
    private final Duration timeout;

    /** @param spec as validated by the config loader; null for none */
    public Hooks(HooksSpec spec) {
        this.spec = spec;
        this.timeout = spec == null || spec.timeout() == null ? DEFAULT_TIMEOUT
                : DurationText.parse("timeout", spec.timeout());
    }

    public static Hooks of(Settings s) {
        return s.hooks() == null ? NONE : new Hooks(s.hooks());
    }

    public boolean has(Point point) {
        return !commands(point).isEmpty();
    }

    /**
     * Runs the hook's commands in turn; empty when all succeeded (or there are none), else one
     * line saying which failed and how.
     */
    public Optional<String> run(Point point, Context context) {
        for (String command : commands(point)) {
            ShellCommand.Result r;
            try {
                r = new ShellCommand(command, context.environment(), timeout).run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of(point.key() + " hook '" + command + "' was interrupted");
            } catch (java.io.UncheckedIOException e) {
                return Optional.of(point.key() + " hook '" + command + "' could not start: " + e.getMessage());
            }
            r.output().lines().filter(l -> !l.isBlank())
                    .forEach(l -> LOG.info("job {}: {} hook: {}", context.job(), point.key(), l));
            if (!r.ok()) {
                String error = point.key() + " hook '" + command + "' failed: " + r.errorLine()
                        + (r.timedOut() ? " after " + DurationText.format(timeout) + " (hooks: timeout:)" : "");
                LOG.error("job {}: {}", context.job(), error);
                return Optional.of(error);
            }
        }
        return Optional.empty();
    }

    private List<String> commands(Point point) {
        if (spec == null) {
            return List.of();
        }
        List<String> c = switch (point) {
            case PRE_SNAPSHOT -> spec.preSnapshot();
            case POST_SNAPSHOT -> spec.postSnapshot();
            case PRE_REPLICATE -> spec.preReplicate();
            case POST_REPLICATE -> spec.postReplicate();
        };
        return c == null ? List.of() : c;
    }
}
