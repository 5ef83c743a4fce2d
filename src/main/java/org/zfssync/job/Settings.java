package org.zfssync.job;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import java.util.List;
import java.util.Map;

/**
 * Everything a job may set and {@code defaults:} may provide; null means "not set here". A job's
 * own value wins over the default, field by field (a retention side as a whole). The transfer
 * keys are those of {@code zfs-sync sync}, in kebab case ({@code large-block}, {@code recv-options}).
 *
 * <p>Made by {@link Builder} (the YAML loader binds the builder, tests set what they need), so a
 * new option is a field here, its builder method and its line in {@link #over}: nothing positional.
 */
@JsonDeserialize(builder = Settings.Builder.class)
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class Settings {
    private final Boolean recursive;
    private final List<String> include;
    private final List<String> exclude;
    private final String snapshotPrefix;
    private final String snapshotTemplate;
    private final String timezone;
    private final Retentions retention;
    private final String compress;
    private final String mbufferSize;
    private final String bwlimit;
    private final Boolean raw;
    private final Integer retries;
    private final Integer workers;
    private final String snapshotEvery;
    private final String replicateEvery;
    private final String cron;
    private final String pruneEvery;
    private final String verifyEvery;
    private final List<WindowSpec> windows;
    private final String rpoWarn;
    private final String rpoCritical;
    private final HooksSpec hooks;
    private final Integer sshPort;
    private final String sshIdentity;
    private final String sshConfig;
    private final List<String> sshOptions;
    private final Boolean compressed;
    private final Boolean largeBlock;
    private final Boolean embed;
    private final Boolean props;
    private final Boolean noMount;
    private final Boolean writableTargets;
    private final Map<String, String> recvOptions;
    private final List<String> recvExclude;
    private final Boolean rollback;
    private final Boolean forceOverwrite;
    private final Boolean noStream;
    private final Integer stallTimeout;
    private final Integer retryMaxDelay;
    private final Integer commandTimeout;
    private final String onDiverged;
    private final String quarantineKeep;
    private final String transport;
    private final String directTargetAddress;
    private final Boolean sshForwardAgent;
    private final String tlsListen;
    private final Boolean insecureDirect;
    private final String tlsCa;
    private final String tlsCert;
    private final String tlsKey;
    private final Boolean reuseConnections;

    private Settings(Builder b) {
        this.recursive = b.recursive;
        this.include = b.include;
        this.exclude = b.exclude;
        this.snapshotPrefix = b.snapshotPrefix;
        this.snapshotTemplate = b.snapshotTemplate;
        this.timezone = b.timezone;
        this.retention = b.retention;
        this.compress = b.compress;
        this.mbufferSize = b.mbufferSize;
        this.bwlimit = b.bwlimit;
        this.raw = b.raw;
        this.retries = b.retries;
        this.workers = b.workers;
        this.snapshotEvery = b.snapshotEvery;
        this.replicateEvery = b.replicateEvery;
        this.cron = b.cron;
        this.pruneEvery = b.pruneEvery;
        this.verifyEvery = b.verifyEvery;
        this.windows = b.windows;
        this.rpoWarn = b.rpoWarn;
        this.rpoCritical = b.rpoCritical;
        this.hooks = b.hooks;
        this.sshPort = b.sshPort;
        this.sshIdentity = b.sshIdentity;
        this.sshConfig = b.sshConfig;
        this.sshOptions = b.sshOptions;
        this.compressed = b.compressed;
        this.largeBlock = b.largeBlock;
        this.embed = b.embed;
        this.props = b.props;
        this.noMount = b.noMount;
        this.writableTargets = b.writableTargets;
        this.recvOptions = b.recvOptions;
        this.recvExclude = b.recvExclude;
        this.rollback = b.rollback;
        this.forceOverwrite = b.forceOverwrite;
        this.noStream = b.noStream;
        this.stallTimeout = b.stallTimeout;
        this.retryMaxDelay = b.retryMaxDelay;
        this.commandTimeout = b.commandTimeout;
        this.onDiverged = b.onDiverged;
        this.quarantineKeep = b.quarantineKeep;
        this.transport = b.transport;
        this.directTargetAddress = b.directTargetAddress;
        this.sshForwardAgent = b.sshForwardAgent;
        this.tlsListen = b.tlsListen;
        this.insecureDirect = b.insecureDirect;
        this.tlsCa = b.tlsCa;
        this.tlsCert = b.tlsCert;
        this.tlsKey = b.tlsKey;
        this.reuseConnections = b.reuseConnections;
    }

    public static Builder builder() {
        return new Builder();
    }

    static Settings empty() {
        return builder().build();
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.recursive = recursive;
        b.include = include;
        b.exclude = exclude;
        b.snapshotPrefix = snapshotPrefix;
        b.snapshotTemplate = snapshotTemplate;
        b.timezone = timezone;
        b.retention = retention;
        b.compress = compress;
        b.mbufferSize = mbufferSize;
        b.bwlimit = bwlimit;
        b.raw = raw;
        b.retries = retries;
        b.workers = workers;
        b.snapshotEvery = snapshotEvery;
        b.replicateEvery = replicateEvery;
        b.cron = cron;
        b.pruneEvery = pruneEvery;
        b.verifyEvery = verifyEvery;
        b.windows = windows;
        b.rpoWarn = rpoWarn;
        b.rpoCritical = rpoCritical;
        b.hooks = hooks;
        b.sshPort = sshPort;
        b.sshIdentity = sshIdentity;
        b.sshConfig = sshConfig;
        b.sshOptions = sshOptions;
        b.compressed = compressed;
        b.largeBlock = largeBlock;
        b.embed = embed;
        b.props = props;
        b.noMount = noMount;
        b.writableTargets = writableTargets;
        b.recvOptions = recvOptions;
        b.recvExclude = recvExclude;
        b.rollback = rollback;
        b.forceOverwrite = forceOverwrite;
        b.noStream = noStream;
        b.stallTimeout = stallTimeout;
        b.retryMaxDelay = retryMaxDelay;
        b.commandTimeout = commandTimeout;
        b.onDiverged = onDiverged;
        b.quarantineKeep = quarantineKeep;
        b.transport = transport;
        b.directTargetAddress = directTargetAddress;
        b.sshForwardAgent = sshForwardAgent;
        b.tlsListen = tlsListen;
        b.insecureDirect = insecureDirect;
        b.tlsCa = tlsCa;
        b.tlsCert = tlsCert;
        b.tlsKey = tlsKey;
        b.reuseConnections = reuseConnections;
        return b;
    }

    /** This job's settings with every unset field taken from {@code defaults}. */
    Settings over(Settings defaults) {
        Retentions r = retention;
        if (defaults.retention != null) {
            r = new Retentions(r != null && r.source() != null ? r.source() : defaults.retention.source(),
                    r != null && r.target() != null ? r.target() : defaults.retention.target());
        }
        Builder b = new Builder();
        b.recursive = or(recursive, defaults.recursive);
        b.include = or(include, defaults.include);
        b.exclude = or(exclude, defaults.exclude);
        b.snapshotPrefix = or(snapshotPrefix, defaults.snapshotPrefix);
        b.snapshotTemplate = or(snapshotTemplate, defaults.snapshotTemplate);
        b.timezone = or(timezone, defaults.timezone);
        b.retention = r;
        b.compress = or(compress, defaults.compress);
        b.mbufferSize = or(mbufferSize, defaults.mbufferSize);
        b.bwlimit = or(bwlimit, defaults.bwlimit);
        b.raw = or(raw, defaults.raw);
        b.retries = or(retries, defaults.retries);
        b.workers = or(workers, defaults.workers);
        b.snapshotEvery = or(snapshotEvery, defaults.snapshotEvery);
        // replicate-every and cron are one choice: a job that makes it takes neither from defaults.
        boolean ownSchedule = replicateEvery != null || cron != null;
        b.replicateEvery = ownSchedule ? replicateEvery : defaults.replicateEvery;
        b.cron = ownSchedule ? cron : defaults.cron;
        b.pruneEvery = or(pruneEvery, defaults.pruneEvery);
        b.verifyEvery = or(verifyEvery, defaults.verifyEvery);
        b.windows = or(windows, defaults.windows);
        b.rpoWarn = or(rpoWarn, defaults.rpoWarn);
        b.rpoCritical = or(rpoCritical, defaults.rpoCritical);
        b.hooks = or(hooks, defaults.hooks);
        b.sshPort = or(sshPort, defaults.sshPort);
        b.sshIdentity = or(sshIdentity, defaults.sshIdentity);
        b.sshConfig = or(sshConfig, defaults.sshConfig);
        b.sshOptions = or(sshOptions, defaults.sshOptions);
        b.compressed = or(compressed, defaults.compressed);
        b.largeBlock = or(largeBlock, defaults.largeBlock);
        b.embed = or(embed, defaults.embed);
        b.props = or(props, defaults.props);
        b.noMount = or(noMount, defaults.noMount);
        b.writableTargets = or(writableTargets, defaults.writableTargets);
        b.recvOptions = or(recvOptions, defaults.recvOptions);
        b.recvExclude = or(recvExclude, defaults.recvExclude);
        b.rollback = or(rollback, defaults.rollback);
        b.forceOverwrite = or(forceOverwrite, defaults.forceOverwrite);
        b.noStream = or(noStream, defaults.noStream);
        b.stallTimeout = or(stallTimeout, defaults.stallTimeout);
        b.retryMaxDelay = or(retryMaxDelay, defaults.retryMaxDelay);
        b.commandTimeout = or(commandTimeout, defaults.commandTimeout);
        b.onDiverged = or(onDiverged, defaults.onDiverged);
        b.quarantineKeep = or(quarantineKeep, defaults.quarantineKeep);
        b.transport = or(transport, defaults.transport);
        b.directTargetAddress = or(directTargetAddress, defaults.directTargetAddress);
        b.sshForwardAgent = or(sshForwardAgent, defaults.sshForwardAgent);
        b.tlsListen = or(tlsListen, defaults.tlsListen);
        b.insecureDirect = or(insecureDirect, defaults.insecureDirect);
        b.tlsCa = or(tlsCa, defaults.tlsCa);
        b.tlsCert = or(tlsCert, defaults.tlsCert);
        b.tlsKey = or(tlsKey, defaults.tlsKey);
        b.reuseConnections = or(reuseConnections, defaults.reuseConnections);
        return b.build();
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    static boolean on(Boolean flag) {
        return flag != null && flag;
    }

    public Boolean recursive() {
        return recursive;
    }

    public List<String> include() {
        return include;
    }

    public List<String> exclude() {
        return exclude;
    }

    public String snapshotPrefix() {
        return snapshotPrefix;
    }

    public String snapshotTemplate() {
        return snapshotTemplate;
    }

    public String timezone() {
        return timezone;
    }

    public Retentions retention() {
        return retention;
    }

    public String compress() {
        return compress;
    }

    public String mbufferSize() {
        return mbufferSize;
    }

    public String bwlimit() {
        return bwlimit;
    }

    public Boolean raw() {
        return raw;
    }

    public Integer retries() {
        return retries;
    }

    public Integer workers() {
        return workers;
    }

    public String snapshotEvery() {
        return snapshotEvery;
    }

    public String replicateEvery() {
        return replicateEvery;
    }

    public String cron() {
        return cron;
    }

    public String pruneEvery() {
        return pruneEvery;
    }

    /** How often the daemon runs a deep verify of each target ({@code zfs-sync verify --deep}); null: never. */
    public String verifyEvery() {
        return verifyEvery;
    }

    public List<WindowSpec> windows() {
        return windows;
    }

    public String rpoWarn() {
        return rpoWarn;
    }

    public String rpoCritical() {
        return rpoCritical;
    }

    public HooksSpec hooks() {
        return hooks;
    }

    public Integer sshPort() {
        return sshPort;
    }

    public String sshIdentity() {
        return sshIdentity;
    }

    public String sshConfig() {
        return sshConfig;
    }

    public List<String> sshOptions() {
        return sshOptions;
    }

    public Boolean compressed() {
        return compressed;
    }

    public Boolean largeBlock() {
        return largeBlock;
    }

    public Boolean embed() {
        return embed;
    }

    public Boolean props() {
        return props;
    }

    public Boolean noMount() {
        return noMount;
    }

    public Boolean writableTargets() {
        return writableTargets;
    }

    public Map<String, String> recvOptions() {
        return recvOptions;
    }

    public List<String> recvExclude() {
        return recvExclude;
    }

    public Boolean rollback() {
        return rollback;
    }

    public Boolean forceOverwrite() {
        return forceOverwrite;
    }

    public Boolean noStream() {
        return noStream;
    }

    public Integer stallTimeout() {
        return stallTimeout;
    }

    public Integer retryMaxDelay() {
        return retryMaxDelay;
    }

    public Integer commandTimeout() {
        return commandTimeout;
    }

    /** {@code refuse}, {@code quarantine} or {@code rollback} (see {@link org.zfssync.replication.OnDiverged}). */
    public String onDiverged() {
        return onDiverged;
    }

    /** How long aside copies of diverged targets are kept ({@code 30d}); null: until the user destroys them. */
    public String quarantineKeep() {
        return quarantineKeep;
    }

    /** relay, ssh-direct, tls or auto ({@code --transport}). */
    public String transport() {
        return transport;
    }

    /** The target's ssh destination as the source reaches it, for ssh-direct ({@code --direct-target-address}). */
    public String directTargetAddress() {
        return directTargetAddress;
    }

    /** Forward the agent to the source for ssh-direct ({@code --ssh-forward-agent}). */
    public Boolean sshForwardAgent() {
        return sshForwardAgent;
    }

    /** Where the source listens for the target, for tls ({@code --tls-listen}). */
    public String tlsListen() {
        return tlsListen;
    }

    /** Plain TCP for tls ({@code --insecure-direct}). */
    public Boolean insecureDirect() {
        return insecureDirect;
    }

    /** The CA for tls ({@code --tls-ca}). */
    public String tlsCa() {
        return tlsCa;
    }

    /** Each host's certificate for tls ({@code --tls-cert}). */
    public String tlsCert() {
        return tlsCert;
    }

    /** Each host's key for tls ({@code --tls-key}). */
    public String tlsKey() {
        return tlsKey;
    }

    /** Small streams on kept ssh connections ({@code reuse-connections}; null: the default, on). */
    public Boolean reuseConnections() {
        return reuseConnections;
    }

    /** Sets what is given; everything else stays unset (null), to be inherited from {@code defaults:}. */
    @JsonPOJOBuilder(withPrefix = "")
    public static final class Builder {
        private Boolean recursive;
        private List<String> include;
        private List<String> exclude;
        private String snapshotPrefix;
        private String snapshotTemplate;
        private String timezone;
        private Retentions retention;
        private String compress;
        private String mbufferSize;
        private String bwlimit;
        private Boolean raw;
        private Integer retries;
        private Integer workers;
        private String snapshotEvery;
        private String replicateEvery;
        private String cron;
        private String pruneEvery;
        private String verifyEvery;
        private List<WindowSpec> windows;
        private String rpoWarn;
        private String rpoCritical;
        private HooksSpec hooks;
        private Integer sshPort;
        private String sshIdentity;
        private String sshConfig;
        private List<String> sshOptions;
        private Boolean compressed;
        private Boolean largeBlock;
        private Boolean embed;
        private Boolean props;
        private Boolean noMount;
        private Boolean writableTargets;
        private Map<String, String> recvOptions;
        private List<String> recvExclude;
        private Boolean rollback;
        private Boolean forceOverwrite;
        private Boolean noStream;
        private Integer stallTimeout;
        private Integer retryMaxDelay;
        private Integer commandTimeout;
        private String onDiverged;
        private String quarantineKeep;
        private String transport;
        private String directTargetAddress;
        private Boolean sshForwardAgent;
        private String tlsListen;
        private Boolean insecureDirect;
        private String tlsCa;
        private String tlsCert;
        private String tlsKey;
        private Boolean reuseConnections;

        public Builder recursive(Boolean value) {
            this.recursive = value;
            return this;
        }

        public Builder include(List<String> value) {
            this.include = value;
            return this;
        }

        public Builder exclude(List<String> value) {
            this.exclude = value;
            return this;
        }

        public Builder snapshotPrefix(String value) {
            this.snapshotPrefix = value;
            return this;
        }

        public Builder snapshotTemplate(String value) {
            this.snapshotTemplate = value;
            return this;
        }

        public Builder timezone(String value) {
            this.timezone = value;
            return this;
        }

        public Builder retention(Retentions value) {
            this.retention = value;
            return this;
        }

        public Builder compress(String value) {
            this.compress = value;
            return this;
        }

        public Builder mbufferSize(String value) {
            this.mbufferSize = value;
            return this;
        }

        public Builder bwlimit(String value) {
            this.bwlimit = value;
            return this;
        }

        public Builder raw(Boolean value) {
            this.raw = value;
            return this;
        }

        public Builder retries(Integer value) {
            this.retries = value;
            return this;
        }

        public Builder workers(Integer value) {
            this.workers = value;
            return this;
        }

        public Builder snapshotEvery(String value) {
            this.snapshotEvery = value;
            return this;
        }

        public Builder replicateEvery(String value) {
            this.replicateEvery = value;
            return this;
        }

        public Builder cron(String value) {
            this.cron = value;
            return this;
        }

        public Builder pruneEvery(String value) {
            this.pruneEvery = value;
            return this;
        }

        public Builder verifyEvery(String value) {
            this.verifyEvery = value;
            return this;
        }

        public Builder windows(List<WindowSpec> value) {
            this.windows = value;
            return this;
        }

        public Builder rpoWarn(String value) {
            this.rpoWarn = value;
            return this;
        }

        public Builder rpoCritical(String value) {
            this.rpoCritical = value;
            return this;
        }

        public Builder hooks(HooksSpec value) {
            this.hooks = value;
            return this;
        }

        public Builder sshPort(Integer value) {
            this.sshPort = value;
            return this;
        }

        public Builder sshIdentity(String value) {
            this.sshIdentity = value;
            return this;
        }

        public Builder sshConfig(String value) {
            this.sshConfig = value;
            return this;
        }

        public Builder sshOptions(List<String> value) {
            this.sshOptions = value;
            return this;
        }

        public Builder compressed(Boolean value) {
            this.compressed = value;
            return this;
        }

        public Builder largeBlock(Boolean value) {
            this.largeBlock = value;
            return this;
        }

        public Builder embed(Boolean value) {
            this.embed = value;
            return this;
        }

        public Builder props(Boolean value) {
            this.props = value;
            return this;
        }

        public Builder noMount(Boolean value) {
            this.noMount = value;
            return this;
        }

        public Builder writableTargets(Boolean value) {
            this.writableTargets = value;
            return this;
        }

        public Builder recvOptions(Map<String, String> value) {
            this.recvOptions = value;
            return this;
        }

        public Builder recvExclude(List<String> value) {
            this.recvExclude = value;
            return this;
        }

        public Builder rollback(Boolean value) {
            this.rollback = value;
            return this;
        }

        public Builder forceOverwrite(Boolean value) {
            this.forceOverwrite = value;
            return this;
        }

        public Builder noStream(Boolean value) {
            this.noStream = value;
            return this;
        }

        public Builder stallTimeout(Integer value) {
            this.stallTimeout = value;
            return this;
        }

        public Builder retryMaxDelay(Integer value) {
            this.retryMaxDelay = value;
            return this;
        }

        public Builder commandTimeout(Integer value) {
            this.commandTimeout = value;
            return this;
        }

        public Builder onDiverged(String value) {
            this.onDiverged = value;
            return this;
        }

        public Builder quarantineKeep(String value) {
            this.quarantineKeep = value;
            return this;
        }

        public Builder transport(String value) {
            this.transport = value;
            return this;
        }

        public Builder directTargetAddress(String value) {
            this.directTargetAddress = value;
            return this;
        }

        public Builder sshForwardAgent(Boolean value) {
            this.sshForwardAgent = value;
            return this;
        }

        public Builder tlsListen(String value) {
            this.tlsListen = value;
            return this;
        }

        public Builder insecureDirect(Boolean value) {
            this.insecureDirect = value;
            return this;
        }

        public Builder tlsCa(String value) {
            this.tlsCa = value;
            return this;
        }

        public Builder tlsCert(String value) {
            this.tlsCert = value;
            return this;
        }

        public Builder tlsKey(String value) {
            this.tlsKey = value;
            return this;
        }

        public Builder reuseConnections(Boolean value) {
            this.reuseConnections = value;
            return this;
        }

        public Settings build() {
            return new Settings(this);
        }
    }
}
