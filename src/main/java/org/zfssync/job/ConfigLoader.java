package org.zfssync.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.zfssync.replication.Endpoint;
import org.zfssync.replication.Glob;
import org.zfssync.replication.RateLimiter;
import org.zfssync.replication.SnapshotNaming;
import org.zfssync.zfs.ReceiveFlags;

/**
 * Reads the YAML config into records and checks it whole: every problem is reported, each with
 * file, line and column, before anything runs.
 */
public final class ConfigLoader {
    public static final Path DEFAULT_FILE = Path.of("/etc/zfs-sync/zfs-sync.yaml");
    private static final Pattern JOB_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Set<String> JOB_KEYS = Set.of("name", "source", "targets");
    private final ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public Config load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(file + ": no such file (write one with: zfs-sync config example > " + file
                    + ")"));
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
        }
        return parse(file, text);
    }

    public Config parse(Path file, String text) {
        JsonNode root;
        Locations where;
        try {
            root = mapper.readTree(text);
            where = Locations.of(text);
        } catch (JsonProcessingException e) {
            String loc = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": ";
            throw new ConfigException(List.of(file + ": " + loc + "not valid YAML: " + e.getOriginalMessage()
                    .lines().findFirst().orElse("")));
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
        }
        List<String> problems = new ArrayList<>();
        Problems report = (pointer, message) -> problems.add(file + ": " + where.describe(pointer) + ": " + message);
        if (root == null || !root.isObject()) {
            report.add("", "the config must be a mapping with defaults: and jobs:");
            throw new ConfigException(problems);
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("defaults") && !key.equals("jobs")) {
                report.add("/" + key, "unknown top-level key '" + key + "' (expected defaults: and jobs:)");
            }
        }
        Settings defaults = root.has("defaults") ? settings(root.get("defaults"), "/defaults", report)
                : Settings.empty();
        if (defaults == null) {
            defaults = Settings.empty();
        } else {
            validate(defaults, "/defaults", report);
        }
        List<Job> jobs = new ArrayList<>();
        JsonNode list = root.get("jobs");
        if (list == null || !list.isArray() || list.isEmpty()) {
            report.add("/jobs", "jobs: must be a list with at least one job");
        } else {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                Job job = job(list.get(i), "/jobs/" + i, defaults, where, report);
                if (job != null && !names.add(job.name())) {
                    report.add("/jobs/" + i + "/name", "job name '" + job.name() + "' is used twice");
                }
                if (job != null) {
                    jobs.add(job);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Config(file, jobs);
    }

    /** Where a problem goes. */
    private interface Problems {
        void add(String pointer, String message);
    }

    private Job job(JsonNode node, String at, Settings defaults, Locations where, Problems all) {
        int[] mine = {0};
        Problems report = (pointer, message) -> {
            mine[0]++;
            all.add(pointer, message);
        };
        if (!node.isObject()) {
            report.add(at, "a job must be a mapping with name:, source: and targets:");
            return null;
        }
        String name = text(node, "name");
        String source = text(node, "source");
        List<String> targets = new ArrayList<>();
        JsonNode t = node.get("targets");
        if (t != null && t.isArray()) {
            t.forEach(x -> targets.add(x.asText()));
        } else if (t != null && t.isTextual()) {
            targets.add(t.asText());
        }
        ObjectNode rest = ((ObjectNode) node).deepCopy();
        JOB_KEYS.forEach(rest::remove);
        Settings own = settings(rest, at, report);
        if (name == null || !JOB_NAME.matcher(name).matches()) {
            report.add(at + "/name", "each job needs a name: of letters, digits, _ . - (got " + quoted(name) + ")");
        }
        if (source == null) {
            report.add(at, "job " + quoted(name) + " needs source: (pool/fs or [user@]host:pool/fs)");
        } else {
            check(() -> Endpoint.parse(source), at + "/source", report);
        }
        if (targets.isEmpty()) {
            report.add(at, "job " + quoted(name) + " needs targets: (one or more of pool/fs or [user@]host:pool/fs)");
        }
        for (int i = 0; i < targets.size(); i++) {
            String target = targets.get(i);
            check(() -> Endpoint.parse(target), at + "/targets/" + i, report);
        }
        if (own == null) {
            return null;
        }
        // Inherited values were checked once, where they are written: only the job's own are checked here.
        validate(own, at, report);
        Settings s = own.over(defaults);
        if (s.snapshotEvery() != null && (s.retention() == null || s.retention().source() == null)) {
            // Without a source policy nothing would ever prune them: they would pile up forever.
            report.add(at, "job " + quoted(name) + " has snapshot-every but no retention: source: policy; add one "
                    + "(e.g. retention: {source: {hourly: 24, daily: 7}}) so its snapshots are pruned");
        }
        return mine[0] == 0 ? new Job(name, source, targets, s, where.line(at)) : null;
    }

    private void validate(Settings s, String at, Problems report) {
        if (s.timezone() != null) {
            check(() -> ZoneId.of(s.timezone()), at + "/timezone", report);
        }
        String prefix = s.snapshotPrefix() != null ? s.snapshotPrefix() : SnapshotNaming.DEFAULT_PREFIX;
        String template = s.snapshotTemplate() != null ? s.snapshotTemplate() : SnapshotNaming.DEFAULT_TEMPLATE;
        check(() -> new SnapshotNaming(prefix, "t", template), at + "/snapshot-prefix", report);
        if (s.compress() != null && !Set.of("auto", "zstd", "lz4", "none").contains(s.compress().toLowerCase(Locale.ROOT))) {
            report.add(at + "/compress", "compress must be auto, zstd, lz4 or none, not '" + s.compress() + "'");
        }
        if (s.mbufferSize() != null) {
            check(() -> RateLimiter.parseRate(s.mbufferSize()), at + "/mbuffer-size", report);
        }
        if (s.bwlimit() != null) {
            check(() -> RateLimiter.parseRate(s.bwlimit()), at + "/bwlimit", report);
        }
        if (s.exclude() != null) {
            s.exclude().forEach(g -> check(() -> Glob.of(g), at + "/exclude", report));
        }
        if (s.include() != null) {
            s.include().forEach(g -> check(() -> Glob.of(g), at + "/include", report));
        }
        if (s.retries() != null && s.retries() < 0) {
            report.add(at + "/retries", "retries must be 0 or more");
        }
        if (s.stallTimeout() != null && s.stallTimeout() < 1) {
            report.add(at + "/stall-timeout", "stall-timeout is in seconds and must be 1 or more");
        }
        if (s.commandTimeout() != null && s.commandTimeout() < 1) {
            report.add(at + "/command-timeout", "command-timeout is in seconds and must be 1 or more");
        }
        if (s.retryMaxDelay() != null && s.retryMaxDelay() < 1) {
            report.add(at + "/retry-max-delay", "retry-max-delay is in seconds and must be 1 or more");
        }
        if (s.recvOptions() != null || s.recvExclude() != null) {
            check(() -> new ReceiveFlags(false, false, s.recvOptions() == null ? Map.of() : s.recvOptions(),
                    s.recvExclude() == null ? List.of() : s.recvExclude(), true), at + "/recv-options", report);
        }
        if (s.workers() != null && (s.workers() < 1 || s.workers() > 64)) {
            report.add(at + "/workers", "workers must be between 1 and 64, got " + s.workers());
        }
        if (s.snapshotEvery() != null) {
            check(() -> SnapshotSchedule.parse(s.snapshotEvery()), at + "/snapshot-every", report);
        }
        if (s.retention() != null) {
            if (s.retention().source() != null) {
                check(() -> s.retention().source().toPolicy(), at + "/retention/source", report);
            }
            if (s.retention().target() != null) {
                check(() -> s.retention().target().toPolicy(), at + "/retention/target", report);
            }
        }
    }

    private Settings settings(JsonNode node, String at, Problems report) {
        try {
            return mapper.treeToValue(node, Settings.class);
        } catch (JsonMappingException e) {
            StringBuilder pointer = new StringBuilder(at);
            for (JsonMappingException.Reference r : e.getPath()) {
                pointer.append('/').append(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
            }
            report.add(pointer.toString(), e.getOriginalMessage().lines().findFirst().orElse("invalid value")
                    .replace("(class org.zfssync.job.Settings$Builder)", "").replace("(class org.zfssync.job.Settings)", "").replace("class org.zfssync.job.", "").strip());
            return null;
        } catch (JsonProcessingException e) {
            report.add(at, e.getOriginalMessage());
            return null;
        }
    }

    private static void check(Runnable validation, String at, Problems report) {
        try {
            validation.run();
        } catch (IllegalArgumentException | DateTimeException e) {
            report.add(at, e.getMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String quoted(String s) {
        return s == null ? "none" : "'" + s + "'";
    }
}
