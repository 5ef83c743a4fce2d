package org.zfssync.alert;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.zfssync.host.ShellCommand;

/**
 * Runs a command for each alert, by {@code /bin/sh -c}, with {@code ZFS_SYNC_ALERT} (the kind),
 * {@code ZFS_SYNC_JOB}, {@code ZFS_SYNC_TARGET}, {@code ZFS_SYNC_MESSAGE} and {@code ZFS_SYNC_AT}
 * in its environment; killed with its children after {@code timeout}.
 */
public final class CommandNotifier implements Notifier {
    private final String command;
    private final Duration timeout;

    public CommandNotifier(String command, Duration timeout) {
        this.command = command;
        this.timeout = timeout;
    }

    @Override
    public void send(Alert alert) throws InterruptedException {
        Map<String, String> env = new HashMap<>();
        env.put("ZFS_SYNC_ALERT", alert.kind().name());
        env.put("ZFS_SYNC_JOB", alert.job());
        env.put("ZFS_SYNC_TARGET", alert.target() == null ? "" : alert.target());
        env.put("ZFS_SYNC_MESSAGE", alert.message());
        env.put("ZFS_SYNC_AT", alert.at().toString());
        ShellCommand.Result r = new ShellCommand(command, env, timeout).run();
        if (!r.ok()) {
            throw new NotificationFailedException("alert command '" + command + "' failed: " + r.errorLine(), null);
        }
    }
}
