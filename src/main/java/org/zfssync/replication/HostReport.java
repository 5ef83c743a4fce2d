package org.zfssync.replication;

import java.util.Map;
import java.util.Optional;
import org.zfssync.host.Helper;
import org.zfssync.host.HelperState;
import org.zfssync.zfs.ZfsVersion;

/** What the start-of-run check found on one host: its OpenZFS and the helpers it was asked about. */
public record HostReport(String host, ZfsVersion version, Map<Helper, HelperState> helpers) {
    public HostReport {
        helpers = Map.copyOf(helpers);
    }

    public Optional<HelperState> helper(Helper h) {
        return Optional.ofNullable(helpers.get(h));
    }

    public HelperState.Status status(Helper h) {
        return helper(h).map(HelperState::status).orElse(HelperState.Status.MISSING);
    }
}
