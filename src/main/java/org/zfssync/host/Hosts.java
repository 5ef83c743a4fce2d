package org.zfssync.host;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The hosts of one run, one {@link Host} per destination so that two endpoints on the same host
 * share its multiplexed connection. Closing ends every connection and removes the socket directory.
 */
public final class Hosts implements HostPool {
    private final SshOptions sshOptions;
    private final CommandListener listener;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private ControlDirectory controlDirectory;

    public Hosts(SshOptions sshOptions, CommandListener listener) {
        this.sshOptions = sshOptions;
        this.listener = listener;
    }

    /** The host for an ssh destination, or this machine when empty. */
    @Override
    public synchronized Host get(Optional<String> sshDestination) {
        String key = sshDestination.orElse(LocalHost.NAME + "\0");
        return hosts.computeIfAbsent(key, k -> sshDestination.<Host>map(d -> {
            if (controlDirectory == null) {
                controlDirectory = ControlDirectory.create();
            }
            return new SshHost(d, sshOptions, controlDirectory, listener);
        }).orElseGet(() -> new LocalHost(listener)));
    }

    @Override
    public synchronized void close() {
        hosts.values().forEach(Host::close);
        hosts.clear();
        if (controlDirectory != null) {
            controlDirectory.close();
            controlDirectory = null;
        }
    }
}
