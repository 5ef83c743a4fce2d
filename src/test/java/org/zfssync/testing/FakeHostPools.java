package org.zfssync.testing;

import java.util.Map;
import java.util.Optional;
import org.zfssync.host.Host;
import org.zfssync.host.HostPool;
import org.zfssync.host.HostUnreachableException;

/**
 * In-memory hosts handed to the code under test as a {@link HostPool.Factory}, by ssh
 * destination ({@code local} for this machine). A destination missing from the map (now, not
 * when the pool was made) answers as ssh does for a host that refuses the connection.
 */
public final class FakeHostPools {
    private FakeHostPools() {
    }

    public static HostPool.Factory of(Map<String, ? extends Host> hosts) {
        return (options, listener) -> new HostPool() {
            @Override
            public Host get(Optional<String> destination) {
                Host h = hosts.get(destination.orElse("local"));
                if (h == null) {
                    throw new HostUnreachableException("ssh: connect to host " + destination.orElse("local")
                            + " port 22: Connection refused");
                }
                return h;
            }

            @Override
            public void close() {
                // the hosts outlive a run, so the next run (and the test) finds them as this one left them
            }
        };
    }
}
