package org.zfssync.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.host.HostPool;
import org.zfssync.host.OutputParser;
import org.zfssync.host.Parsed;
import org.zfssync.host.Pipeline;
import org.zfssync.host.RunningPipeline;
import org.zfssync.testing.FakeZfsHost;

/**
 * An in-memory host that logs in as a given user: answers {@code id} and {@code zfs allow
 * DATASET} (with a listing the test writes in OpenZFS's format), records every {@code zfs allow
 * -u}, and leaves everything else to a {@link FakeZfsHost}.
 */
final class DelegatedHost implements Host {
    private final FakeZfsHost zfs;
    private final String user;
    private final String allowListing;
    private final List<List<String>> delegations = Collections.synchronizedList(new ArrayList<>());

    DelegatedHost(FakeZfsHost zfs, String user, String allowListing) {
        this.zfs = zfs;
        this.user = user;
        this.allowListing = allowListing;
    }

    /** A pool of these by ssh destination ("local" for this machine). */
    static HostPool.Factory pool(Map<String, DelegatedHost> hosts) {
        return org.zfssync.testing.FakeHostPools.of(new ConcurrentHashMap<>(hosts));
    }

    List<List<String>> delegations() {
        return List.copyOf(delegations);
    }

    @Override
    public String name() {
        return zfs.name();
    }

    @Override
    public boolean isLocal() {
        return false;
    }

    @Override
    public CommandResult run(Command command) {
        List<String> a = command.argv();
        if (a.get(0).equals("id")) {
            String out = switch (a.get(1)) {
                case "-u" -> user.equals("root") ? "0" : "1001";
                case "-un" -> user;
                default -> user + " backupgroup";
            };
            return new CommandResult(command, name(), 0, out + "\n", "");
        }
        if (a.size() >= 2 && a.get(0).equals("zfs") && a.get(1).equals("allow")) {
            if (a.size() == 3) {
                return new CommandResult(command, name(), 0, allowListing, "");
            }
            delegations.add(a);
            return user.equals("root") ? new CommandResult(command, name(), 0, "", "")
                    : new CommandResult(command, name(), 1, "", "cannot set permissions on '" + a.get(a.size() - 1)
                    + "': permission denied\n");
        }
        return zfs.run(command);
    }

    @Override
    public <T> Parsed<T> read(Command command, OutputParser<T> parser) {
        return zfs.read(command, parser);
    }

    @Override
    public List<CommandResult> runAll(List<Command> commands) {
        // As SshHost's batch returns them: each command's output merged into one text, stdout empty.
        return commands.stream().map(this::run).map(r -> new CommandResult(r.command(), r.host(), r.exitCode(), "",
                r.output())).toList();
    }

    @Override
    public RunningPipeline start(Pipeline pipeline) {
        return zfs.start(pipeline);
    }

    @Override
    public String display(Command command) {
        return zfs.display(command);
    }

    @Override
    public String display(Pipeline pipeline) {
        return zfs.display(pipeline);
    }

    @Override
    public void close() {
        // nothing held
    }
}
