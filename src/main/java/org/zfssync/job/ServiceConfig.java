package org.zfssync.job;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The config's service-level keys, for {@code zfs-sync daemon}: where run history goes, the local
 * status page, and where alerts are sent. Each part is null when its key is absent (that feature
 * off); absent fields within a part have the defaults below, filled in by {@link ConfigLoader}.
 */
public record ServiceConfig(History history, Http http, Alerts alerts) {
    public static final ServiceConfig NONE = new ServiceConfig(null, null, null);

    /** {@code history: {path, keep}}: the run history file and how long runs are kept (default 90d). */
    public record History(Path path, Duration keep) {
        public static final Path DEFAULT_PATH = Path.of("/var/lib/zfs-sync/history.db");
        public static final Duration DEFAULT_KEEP = Duration.ofDays(90);
    }

    /**
     * {@code http: {listen, token-file}}: the status page's address ({@code 127.0.0.1:9860} by
     * default) and the file holding the bearer token it requires, if any.
     */
    public record Http(String listen, Path tokenFile) {
        public static final String DEFAULT_LISTEN = "127.0.0.1:9860";
    }

    /**
     * {@code alerts:}: a reminder every {@code repeat-every} (default 6h) while a job stays failing or
     * behind its RPO, sent to each configured channel.
     */
    public record Alerts(Duration repeatEvery, Webhook webhook, Email email, String command) {
        public static final Duration DEFAULT_REPEAT = Duration.ofHours(6);
    }

    /** A JSON POST to {@code url}, retried {@code retries} times (default 3), each try within {@code timeout} (10s). */
    public record Webhook(URI url, Integer retries, Duration timeout) {
        public static final int DEFAULT_RETRIES = 3;
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    }

    /**
     * Mail over SMTP: {@code port} 587 and STARTTLS required by default; with {@code username}, the
     * password is the first line of {@code password-file} (never in the config itself).
     */
    public record Email(String smtpHost, Integer port, Boolean starttls, String from,
                        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> to,
                        String username, Path passwordFile) {
        public static final int DEFAULT_PORT = 587;
    }
}
