package org.zfssync.job;

import java.util.List;

/**
 * Everything a job may set and {@code defaults:} may provide; null means "not set here". A job's
 * own value wins over the default, field by field (a retention side as a whole).
 */
public record Settings(Boolean recursive, List<String> exclude, String snapshotPrefix, String snapshotTemplate,
        String timezone, Retentions retention, String compress, String mbufferSize, String bwlimit, Boolean raw,
        Integer retries, Integer workers, String snapshotEvery, Integer sshPort, String sshIdentity, String sshConfig,
        List<String> sshOptions) {

    static Settings empty() {
        return new Settings(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null);
    }

    /** This job's settings with every unset field taken from {@code defaults}. */
    Settings over(Settings defaults) {
        Retentions r = retention;
        if (defaults.retention != null) {
            r = new Retentions(r != null && r.source() != null ? r.source() : defaults.retention.source(),
                    r != null && r.target() != null ? r.target() : defaults.retention.target());
        }
        return new Settings(or(recursive, defaults.recursive), or(exclude, defaults.exclude),
                or(snapshotPrefix, defaults.snapshotPrefix), or(snapshotTemplate, defaults.snapshotTemplate),
                or(timezone, defaults.timezone), r, or(compress, defaults.compress), or(mbufferSize, defaults.mbufferSize),
                or(bwlimit, defaults.bwlimit), or(raw, defaults.raw), or(retries, defaults.retries),
                or(workers, defaults.workers), or(snapshotEvery, defaults.snapshotEvery), or(sshPort, defaults.sshPort), or(sshIdentity, defaults.sshIdentity), or(sshConfig, defaults.sshConfig),
                or(sshOptions, defaults.sshOptions));
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
