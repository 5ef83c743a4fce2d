package org.zfssync.job;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.zfssync.host.DirectStream;
import org.zfssync.host.TlsFiles;
import org.zfssync.host.TlsListen;
import org.zfssync.replication.Endpoint;
import org.zfssync.replication.Glob;
import org.zfssync.replication.OnDiverged;
import org.zfssync.replication.RateLimiter;
import org.zfssync.replication.SnapshotNaming;
import org.zfssync.replication.TransportMode;
import org.zfssync.schedule.DurationText;
import org.zfssync.schedule.Schedule;
import org.zfssync.schedule.Window;
import org.zfssync.zfs.ReceiveFlags;

/**
 * Reads the YAML config into records and checks it whole: every problem is reported, each with
 * file, line and column, before anything runs.
 */
public final class ConfigLoader {
    public static final Path DEFAULT_FILE = Path.of("/etc/zfs-sync/zfs-sync.yaml");
    private static final Pattern JOB_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Set<String> JOB_KEYS = Set.of("name", "source", "targets");
    /** What one target of a job may set for itself: how its streams travel. */
    private static final List<String> TARGET_KEYS = List.of("transport", "direct-target-address", "ssh-forward-agent",
            "tls-listen", "insecure-direct", "tls-ca", "tls-cert", "tls-key");
    private static final List<String> TOP_KEYS = List.of("defaults", "jobs", "history", "http", "alerts");
    private static final Pattern LISTEN = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+):(\\d{1,5})");
    private final ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(new SimpleModule().addDeserializer(Duration.class, new DurationDeserializer()));

    /** Durations as the config writes them ({@code 6h}), with the key's name in the message. */
    private static final class DurationDeserializer extends StdDeserializer<Duration> {
        DurationDeserializer() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            try {
                return DurationText.parse(p.currentName() == null ? "duration" : p.currentName(), p.getValueAsString());
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(p, e.getMessage());
            }
        }
    }

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
            if (!TOP_KEYS.contains(key)) {
                report.add("/" + key, "unknown top-level key '" + key + "' (expected one of " + String.join(", ", TOP_KEYS)
                        + ")");
            }
        }
        Settings defaults = root.has("defaults") ? bind(root.get("defaults"), Settings.class, "/defaults", report)
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
        ServiceConfig service = service(root, report);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Config(file, jobs, service);
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
        Map<String, Settings> targetOwn = new LinkedHashMap<>();
        JsonNode t = node.get("targets");
        if (t != null && t.isArray()) {
            for (int i = 0; i < t.size(); i++) {
                JsonNode x = t.get(i);
                if (x.isObject()) {
                    targetWithSettings((ObjectNode) x, at + "/targets/" + i, targets, targetOwn, report);
                } else {
                    targets.add(x.asText());
                }
            }
        } else if (t != null && t.isTextual()) {
            targets.add(t.asText());
        }
        ObjectNode rest = ((ObjectNode) node).deepCopy();
        JOB_KEYS.forEach(rest::remove);
        Settings own = bind(rest, Settings.class, at, report);
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
        return mine[0] == 0 ? new Job(name, source, targets, s, where.line(at), targetOwn) : null;
    }

    /**
     * A target written as a mapping, {@code {target: HOST:POOL/FS, transport: ssh-direct, ...}}: its
     * own transport keys apply to it alone, over the job's.
     */
    private void targetWithSettings(ObjectNode x, String at, List<String> targets, Map<String, Settings> targetOwn,
                                    Problems report) {
        String target = text(x, "target");
        if (target == null) {
            report.add(at, "a target written as a mapping needs target: (pool/fs or [user@]host:pool/fs)");
            return;
        }
        targets.add(target);
        ObjectNode rest = x.deepCopy();
        rest.remove("target");
        for (Iterator<String> it = rest.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!TARGET_KEYS.contains(key)) {
                report.add(at + "/" + key, "a target may set only " + String.join(", ", TARGET_KEYS)
                        + " for itself, not '" + key + "' (set it on the job)");
                return;
            }
        }
        Settings own = bind(rest, Settings.class, at, report);
        if (own != null) {
            validate(own, at, report);
            targetOwn.put(target, own);
        }
    }

    /** The daemon's keys, each part checked where it is written and completed with its defaults. */
    private ServiceConfig service(JsonNode root, Problems report) {
        ServiceConfig.History history = part(root, "history", ServiceConfig.History.class, report);
        if (history != null) {
            history = new ServiceConfig.History(history.path() != null ? history.path()
                    : ServiceConfig.History.DEFAULT_PATH, history.keep() != null ? history.keep()
                    : ServiceConfig.History.DEFAULT_KEEP);
        }
        ServiceConfig.Http http = part(root, "http", ServiceConfig.Http.class, report);
        if (http != null) {
            http = new ServiceConfig.Http(http.listen() != null ? http.listen() : ServiceConfig.Http.DEFAULT_LISTEN,
                    http.tokenFile());
            Matcher m = LISTEN.matcher(http.listen());
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65_535) {
                report.add("/http/listen", "listen must be HOST:PORT with a port from 1 to 65535 (e.g. 127.0.0.1:9860 or "
                        + "[::1]:9860), not '" + http.listen() + "'");
            }
            readable(http.tokenFile(), "/http/token-file", report);
        }
        ServiceConfig.Alerts alerts = part(root, "alerts", ServiceConfig.Alerts.class, report);
        if (alerts != null) {
            alerts = new ServiceConfig.Alerts(alerts.repeatEvery() != null ? alerts.repeatEvery()
                    : ServiceConfig.Alerts.DEFAULT_REPEAT, webhook(alerts.webhook(), report), email(alerts.email(), report),
                    alerts.command());
            if (alerts.repeatEvery().compareTo(Schedule.MIN_EVERY) < 0) {
                report.add("/alerts/repeat-every", "repeat-every must be at least 1m");
            }
            if (alerts.command() != null && alerts.command().isBlank()) {
                report.add("/alerts/command", "command must not be empty (remove the key to send no alert by command)");
            }
            if (alerts.webhook() == null && alerts.email() == null && alerts.command() == null) {
                report.add("/alerts", "alerts: needs at least one of webhook:, email: or command:");
            }
        }
        return new ServiceConfig(history, http, alerts);
    }

    private ServiceConfig.Webhook webhook(ServiceConfig.Webhook w, Problems report) {
        if (w == null) {
            return null;
        }
        URI url = w.url();
        if (url == null || !url.isAbsolute() || !Set.of("http", "https").contains(url.getScheme().toLowerCase(Locale.ROOT))
                || url.getHost() == null) {
            report.add("/alerts/webhook" + (url == null ? "" : "/url"), "webhook needs url: an http:// or https:// "
                    + "address (e.g. https://hooks.example.org/zfs-sync), not " + quoted(url == null ? null : url.toString()));
        }
        if (w.retries() != null && (w.retries() < 0 || w.retries() > 20)) {
            report.add("/alerts/webhook/retries", "retries must be between 0 and 20, got " + w.retries());
        }
        return new ServiceConfig.Webhook(url, w.retries() != null ? w.retries() : ServiceConfig.Webhook.DEFAULT_RETRIES,
                w.timeout() != null ? w.timeout() : ServiceConfig.Webhook.DEFAULT_TIMEOUT);
    }

    private ServiceConfig.Email email(ServiceConfig.Email e, Problems report) {
        if (e == null) {
            return null;
        }
        String at = "/alerts/email";
        if (e.smtpHost() == null || e.smtpHost().isBlank()) {
            report.add(at, "email needs smtp-host: (e.g. smtp-host: mail.example.org)");
        }
        if (e.from() == null || !e.from().contains("@")) {
            report.add(at + (e.from() == null ? "" : "/from"), "email needs from: a mail address (e.g. zfs-sync@example.org), "
                    + "not " + quoted(e.from()));
        }
        if (e.to() == null || e.to().isEmpty()) {
            report.add(at, "email needs to: one address or a list of them");
        } else {
            for (int i = 0; i < e.to().size(); i++) {
                if (e.to().get(i) == null || !e.to().get(i).contains("@")) {
                    report.add(at + "/to/" + i, "'" + e.to().get(i) + "' is not a mail address (e.g. admin@example.org)");
                }
            }
        }
        if (e.port() != null && (e.port() < 1 || e.port() > 65_535)) {
            report.add(at + "/port", "port must be between 1 and 65535 (587 for STARTTLS), got " + e.port());
        }
        if (e.username() != null && e.passwordFile() == null) {
            report.add(at + "/username", "a username needs password-file: (a file holding the password, mode 0600)");
        }
        if (e.passwordFile() != null && e.username() == null) {
            report.add(at + "/password-file", "password-file needs username: too");
        }
        readable(e.passwordFile(), at + "/password-file", report);
        return new ServiceConfig.Email(e.smtpHost(), e.port() != null ? e.port() : ServiceConfig.Email.DEFAULT_PORT,
                e.starttls() == null || e.starttls(), e.from(), e.to(), e.username(), e.passwordFile());
    }

    private static void readable(Path file, String at, Problems report) {
        if (file != null && !Files.isReadable(file)) {
            report.add(at, file + " does not exist or cannot be read; create it (mode 0600) or fix the path");
        }
    }

    private <T> T part(JsonNode root, String key, Class<T> type, Problems report) {
        JsonNode node = root.get(key);
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            report.add("/" + key, key + ": must be a mapping (see zfs-sync config example)");
            return null;
        }
        return bind(node, type, "/" + key, report);
    }

    private void validate(Settings s, String at, Problems report) {
        if (s.timezone() != null) {
            check(() -> ZoneId.of(s.timezone()), at + "/timezone", report);
        }
        String prefix = s.snapshotPrefix() != null ? s.snapshotPrefix() : SnapshotNaming.DEFAULT_PREFIX;
        String template = s.snapshotTemplate() != null ? s.snapshotTemplate() : SnapshotNaming.DEFAULT_TEMPLATE;
        check(() -> new SnapshotNaming(prefix, "t", template), at + "/snapshot-prefix", report);
        if (s.compress() != null && !Set.of("default", "auto", "zstd", "lz4", "none").contains(s.compress().toLowerCase(Locale.ROOT))) {
            report.add(at + "/compress", "compress must be default, auto, zstd, lz4 or none, not '" + s.compress() + "'");
        }
        if (s.mbufferSize() != null) {
            check(() -> RateLimiter.parseRate(s.mbufferSize()), at + "/mbuffer-size", report);
        }
        if (s.bwlimit() != null) {
            check(() -> RateLimiter.parseRate(s.bwlimit()), at + "/bwlimit", report);
        }
        if (s.transport() != null) {
            check(() -> TransportMode.parse(s.transport()), at + "/transport", report);
        }
        if (s.directTargetAddress() != null) {
            check(() -> new DirectStream.Link(s.directTargetAddress(), false), at + "/direct-target-address", report);
        }
        if (s.tlsListen() != null) {
            check(() -> TlsListen.parse(s.tlsListen()), at + "/tls-listen", report);
        }
        check(() -> TlsFiles.of(s.tlsCa(), s.tlsCert(), s.tlsKey()), at + "/tls-ca", report);
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
        if (s.onDiverged() != null) {
            check(() -> OnDiverged.parse(s.onDiverged()), at + "/on-diverged", report);
            if (s.onDiverged().strip().equalsIgnoreCase("quarantine")
                    && (Settings.on(s.rollback()) || Settings.on(s.forceOverwrite()))) {
                report.add(at + "/on-diverged", "on-diverged: quarantine keeps a diverged target aside; it cannot be "
                        + "combined with rollback: or force-overwrite:, which destroy its data");
            }
        }
        if (s.quarantineKeep() != null) {
            check(() -> DurationText.parse("quarantine-keep", s.quarantineKeep()), at + "/quarantine-keep", report);
        }
        if (s.workers() != null && (s.workers() < 1 || s.workers() > 64)) {
            report.add(at + "/workers", "workers must be between 1 and 64, got " + s.workers());
        }
        if (s.snapshotEvery() != null) {
            check(() -> SnapshotSchedule.parse(s.snapshotEvery()), at + "/snapshot-every", report);
            // The daemon schedules it too: no shorter than any other schedule.
            check(() -> DurationText.parseAtLeast("snapshot-every", s.snapshotEvery(), Schedule.MIN_EVERY),
                    at + "/snapshot-every", report);
        }
        validateTiming(s, at, report);
        if (s.retention() != null) {
            if (s.retention().source() != null) {
                check(() -> s.retention().source().toPolicy(), at + "/retention/source", report);
            }
            if (s.retention().target() != null) {
                check(() -> s.retention().target().toPolicy(), at + "/retention/target", report);
            }
        }
    }

    /** The daemon's per-job keys: schedules, windows, RPO thresholds and hooks. */
    private static void validateTiming(Settings s, String at, Problems report) {
        if (s.replicateEvery() != null && s.cron() != null) {
            report.add(at + "/cron", "set replicate-every or cron, not both");
        }
        if (s.replicateEvery() != null) {
            check(() -> DurationText.parseAtLeast("replicate-every", s.replicateEvery(), Schedule.MIN_EVERY),
                    at + "/replicate-every", report);
        }
        if (s.cron() != null) {
            // A valid line that never fires (0 0 30 2 *) is refused here, not found by the daemon later.
            check(() -> Schedule.cron(s.cron(), ZoneOffset.UTC).next(java.time.Instant.now()), at + "/cron", report);
        }
        if (s.pruneEvery() != null) {
            check(() -> DurationText.parseAtLeast("prune-every", s.pruneEvery(), Schedule.MIN_EVERY),
                    at + "/prune-every", report);
        }
        if (s.verifyEvery() != null) {
            check(() -> DurationText.parseAtLeast("verify-every", s.verifyEvery(), Schedule.MIN_EVERY),
                    at + "/verify-every", report);
        }
        Duration[] rpo = new Duration[2];
        if (s.rpoWarn() != null) {
            check(() -> rpo[0] = DurationText.parseAtLeast("rpo-warn", s.rpoWarn(), Schedule.MIN_EVERY),
                    at + "/rpo-warn", report);
        }
        if (s.rpoCritical() != null) {
            check(() -> rpo[1] = DurationText.parseAtLeast("rpo-critical", s.rpoCritical(), Schedule.MIN_EVERY),
                    at + "/rpo-critical", report);
        }
        if (rpo[0] != null && rpo[1] != null && rpo[0].compareTo(rpo[1]) > 0) {
            report.add(at + "/rpo-critical", "rpo-critical (" + s.rpoCritical() + ") must not be shorter than rpo-warn ("
                    + s.rpoWarn() + ")");
        }
        if (s.windows() != null) {
            for (int i = 0; i < s.windows().size(); i++) {
                WindowSpec w = s.windows().get(i);
                String wat = at + "/windows/" + i;
                if (w == null) {
                    report.add(wat, "a window is a mapping such as {days: mon-fri, from: \"08:00\", to: \"18:00\", bwlimit: 20M}");
                    continue;
                }
                // Each part where it is written, so one window's mistakes are all reported at once.
                check(() -> Window.parseDays(w.days()), wat + "/days", report);
                if (w.from() != null) {
                    check(() -> Window.parseTime("from", w.from()), wat + "/from", report);
                }
                if (w.to() != null) {
                    check(() -> Window.parseTime("to", w.to()), wat + "/to", report);
                }
                if (w.bwlimit() != null) {
                    check(() -> RateLimiter.parseRate(w.bwlimit()), wat + "/bwlimit", report);
                }
            }
        }
        HooksSpec h = s.hooks();
        if (h != null) {
            if (h.timeout() != null) {
                check(() -> DurationText.parse("timeout", h.timeout()), at + "/hooks/timeout", report);
            }
            Map<String, List<String>> all = new java.util.LinkedHashMap<>();
            all.put("pre-snapshot", h.preSnapshot());
            all.put("post-snapshot", h.postSnapshot());
            all.put("pre-replicate", h.preReplicate());
            all.put("post-replicate", h.postReplicate());
            all.forEach((key, commands) -> {
                if (commands != null && commands.stream().anyMatch(c -> c == null || c.isBlank())) {
                    report.add(at + "/hooks/" + key, key + " must be a command or a list of commands, none empty");
                }
            });
        }
    }

    private <T> T bind(JsonNode node, Class<T> type, String at, Problems report) {
        try {
            return mapper.treeToValue(node, type);
        } catch (JsonMappingException e) {
            StringBuilder pointer = new StringBuilder(at);
            for (JsonMappingException.Reference r : e.getPath()) {
                pointer.append('/').append(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
            }
            report.add(pointer.toString(), e.getOriginalMessage().lines().findFirst().orElse("invalid value")
                    .replaceAll("\\s*\\(class org\\.zfssync\\.job\\.[A-Za-z$]+\\)", "").replace("class org.zfssync.job.", "")
                    .strip());
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
