package org.zfssync.host;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * How to reach remote hosts with the system OpenSSH client. Anything not given here comes from
 * the user's ssh configuration (host aliases, keys, agent), which ssh reads as usual.
 *
 * @param port           {@code -p}
 * @param identityFile   {@code -i}
 * @param configFile     {@code -F}
 * @param extraOptions   each becomes {@code -o OPTION} ({@code Key=Value} or {@code Key Value})
 * @param commandTimeout how long one control command (a listing, a snapshot, a batch) may take
 *                       before it is killed and reported as timed out; data streams have none
 */
public record SshOptions(Optional<Integer> port, Optional<Path> identityFile, Optional<Path> configFile,
                         List<String> extraOptions, Duration commandTimeout) {
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(600);
    /**
     * zfs-sync's own defaults: never prompt (BatchMode), notice a dead peer within a minute
     * (ServerAlive), give up on an unreachable host in 30 s. Each yields to the user's own value.
     */
    private static final List<String> DEFAULTS = List.of("BatchMode=yes", "ServerAliveInterval=15",
            "ServerAliveCountMax=4", "ConnectTimeout=30");
    /** Set per connection by {@link SshHost}: the private socket directory depends on them. */
    private static final Set<String> MANAGED = Set.of("controlmaster", "controlpath", "controlpersist");

    public SshOptions {
        extraOptions = List.copyOf(extraOptions);
        port.ifPresent(p -> {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("ssh port " + p + " is out of range 1-65535");
            }
        });
        for (String option : extraOptions) {
            String key = key(option);
            if (key.isEmpty()) {
                throw new IllegalArgumentException("ssh option '" + option + "' has no name: expected Key=Value, "
                        + "e.g. ConnectTimeout=5");
            }
            if (MANAGED.contains(key)) {
                throw new IllegalArgumentException("ssh option '" + option + "': zfs-sync sets ControlMaster, "
                        + "ControlPath and ControlPersist itself (one private control socket per run); remove it");
            }
        }
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("command timeout must be positive, not " + commandTimeout.toSeconds() + " s");
        }
    }

    /** Options with the default command timeout ({@link #DEFAULT_COMMAND_TIMEOUT}). */
    public SshOptions(Optional<Integer> port, Optional<Path> identityFile, Optional<Path> configFile,
            List<String> extraOptions) {
        this(port, identityFile, configFile, extraOptions, DEFAULT_COMMAND_TIMEOUT);
    }

    public static SshOptions defaults() {
        return new SshOptions(Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    }

    public SshOptions withCommandTimeout(Duration timeout) {
        return new SshOptions(port, identityFile, configFile, extraOptions, timeout);
    }

    /**
     * The options every zfs-sync ssh invocation carries. ssh keeps the first value it sees for
     * an option, so the user's choices come first and a default whose option the user set is
     * left out altogether (the argv then shows what really applies).
     */
    List<String> argv() {
        List<String> argv = new ArrayList<>();
        configFile.ifPresent(f -> argv.addAll(List.of("-F", f.toString())));
        port.ifPresent(p -> argv.addAll(List.of("-p", Integer.toString(p))));
        identityFile.ifPresent(f -> argv.addAll(List.of("-i", f.toString())));
        Set<String> userKeys = new java.util.HashSet<>();
        for (String option : extraOptions) {
            argv.addAll(List.of("-o", option));
            userKeys.add(key(option));
        }
        for (String option : DEFAULTS) {
            if (!userKeys.contains(key(option))) {
                argv.addAll(List.of("-o", option));
            }
        }
        return argv;
    }

    /** The option's name, lower case as ssh compares it: the text before '=' or whitespace. */
    static String key(String option) {
        String s = option.strip();
        int end = 0;
        while (end < s.length() && s.charAt(end) != '=' && !Character.isWhitespace(s.charAt(end))) {
            end++;
        }
        return s.substring(0, end).toLowerCase(Locale.ROOT);
    }
}
