package org.zfssync.job;

import java.util.List;
import java.util.Map;

/**
 * Everything a job may set and {@code defaults:} may provide; null means "not set here". A job's
 * own value wins over the default, field by field (a retention side as a whole). The transfer
 * keys are those of {@code zfs-sync sync}, in kebab case ({@code large-block}, {@code recv-options}).
 */
public record Settings(Boolean recursive, List<String> include, List<String> exclude, String snapshotPrefix,
        String snapshotTemplate, String timezone, Retentions retention, String compress, String mbufferSize,
        String bwlimit, Boolean raw, Integer retries, Integer workers, String snapshotEvery, Integer sshPort,
        String sshIdentity, String sshConfig, List<String> sshOptions, Boolean compressed, Boolean largeBlock,
        Boolean embed, Boolean props, Boolean noMount, Boolean writableTargets, Map<String, String> recvOptions,
        List<String> recvExclude, Boolean rollback, Boolean forceOverwrite, Boolean noStream, Integer stallTimeout,
        Integer retryMaxDelay, Integer commandTimeout) {

    static Settings empty() {
        return new Settings(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** This job's settings with every unset field taken from {@code defaults}. */
    Settings over(Settings defaults) {
        Retentions r = retention;
        if (defaults.retention != null) {
            r = new Retentions(r != null && r.source() != null ? r.source() : defaults.retention.source(),
                    r != null && r.target() != null ? r.target() : defaults.retention.target());
        }
        return new Settings(or(recursive, defaults.recursive), or(include, defaults.include),
                or(exclude, defaults.exclude), or(snapshotPrefix, defaults.snapshotPrefix),
                or(snapshotTemplate, defaults.snapshotTemplate), or(timezone, defaults.timezone), r,
                or(compress, defaults.compress), or(mbufferSize, defaults.mbufferSize), or(bwlimit, defaults.bwlimit),
                or(raw, defaults.raw), or(retries, defaults.retries), or(workers, defaults.workers),
                or(snapshotEvery, defaults.snapshotEvery), or(sshPort, defaults.sshPort),
                or(sshIdentity, defaults.sshIdentity), or(sshConfig, defaults.sshConfig),
                or(sshOptions, defaults.sshOptions), or(compressed, defaults.compressed),
                or(largeBlock, defaults.largeBlock), or(embed, defaults.embed), or(props, defaults.props),
                or(noMount, defaults.noMount), or(writableTargets, defaults.writableTargets),
                or(recvOptions, defaults.recvOptions), or(recvExclude, defaults.recvExclude),
                or(rollback, defaults.rollback), or(forceOverwrite, defaults.forceOverwrite),
                or(noStream, defaults.noStream), or(stallTimeout, defaults.stallTimeout),
                or(retryMaxDelay, defaults.retryMaxDelay), or(commandTimeout, defaults.commandTimeout));
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    static boolean on(Boolean flag) {
        return flag != null && flag;
    }
}
