package org.zfssync.host;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How to reach remote hosts with the system OpenSSH client. Anything not given here comes from
 * the user's ssh configuration (host aliases, keys, agent), which ssh reads as usual.
 *
 * @param port         {@code -p}
 * @param identityFile {@code -i}
 * @param configFile   {@code -F}
 * @param extraOptions each becomes {@code -o OPTION}
 */
public record SshOptions(Optional<Integer> port, Optional<Path> identityFile, Optional<Path> configFile,
                         List<String> extraOptions) {
    public SshOptions {
        extraOptions = List.copyOf(extraOptions);
        port.ifPresent(p -> {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("ssh port " + p + " is out of range 1-65535");
            }
        });
    }

    public static SshOptions defaults() {
        return new SshOptions(Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    }

    /**
     * The options every zfs-sync ssh invocation carries: never prompt (BatchMode), notice a dead
     * peer within a minute (ServerAlive), then the user's own choices.
     */
    List<String> argv() {
        List<String> argv = new ArrayList<>(List.of("-o", "BatchMode=yes", "-o", "ServerAliveInterval=15",
                "-o", "ServerAliveCountMax=4", "-o", "ConnectTimeout=30"));
        configFile.ifPresent(f -> argv.addAll(List.of("-F", f.toString())));
        port.ifPresent(p -> argv.addAll(List.of("-p", Integer.toString(p))));
        identityFile.ifPresent(f -> argv.addAll(List.of("-i", f.toString())));
        for (String option : extraOptions) {
            argv.addAll(List.of("-o", option));
        }
        return argv;
    }
}
