package org.zfssync.host;

import java.util.Optional;

/**
 * The hosts of one run by ssh destination (empty: this machine), closed together at its end.
 * {@link Hosts} reaches real machines; tests give the runners a pool of in-memory hosts.
 */
public interface HostPool extends AutoCloseable {
    Host get(Optional<String> sshDestination);

    @Override
    void close();

    /** Makes the pool of one run: its ssh options, and a listener that counts its commands. */
    @FunctionalInterface
    interface Factory {
        HostPool open(SshOptions options, CommandListener listener);

        /** Real hosts: this machine and ssh. */
        static Factory ssh() {
            return Hosts::new;
        }
    }
}
