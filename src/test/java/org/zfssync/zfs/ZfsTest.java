package org.zfssync.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.LocalHost;
import org.zfssync.host.MissingToolException;

class ZfsTest {
    /** A real local host whose zfs is a program that does not exist: the missing-tool path, for real. */
    @Test
    void missingLocalZfsNamesThePackages() {
        LocalHost host = new LocalHost((h, d, s) -> { });
        Zfs zfs = new Zfs(new RenamingHost(host, "zfs-sync-no-such-zfs"));
        assertThatThrownBy(zfs::version).isInstanceOf(MissingToolException.class)
                .hasMessageContaining("`zfs` is not installed").hasMessageContaining("zfsutils-linux");
    }

    @Test
    void versionIsProbedOncePerHost() {
        List<String> seen = new ArrayList<>();
        LocalHost counting = new LocalHost((h, d, s) -> seen.add(d));
        Zfs zfs = new Zfs(new RenamingHost(counting, "echo"));
        // `echo version` prints "version": not a version, but the probe ran exactly once per call chain.
        assertThatThrownBy(zfs::version).hasMessageContaining("unrecognised");
        assertThat(seen).hasSize(1);
    }

    /** Runs every command with its program replaced: a local host whose "zfs" is something else. */
    private static final class RenamingHost implements org.zfssync.host.Host {
        private final LocalHost delegate;
        private final String program;

        RenamingHost(LocalHost delegate, String program) {
            this.delegate = delegate;
            this.program = program;
        }

        private Command renamed(Command c) {
            List<String> argv = new ArrayList<>(c.argv());
            argv.set(0, program);
            return new Command(argv, c.readOnly());
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public boolean isLocal() {
            return true;
        }

        @Override
        public CommandResult run(Command command) {
            return delegate.run(renamed(command));
        }

        @Override
        public <T> org.zfssync.host.Parsed<T> read(Command command, org.zfssync.host.OutputParser<T> parser) {
            return delegate.read(renamed(command), parser);
        }

        @Override
        public List<CommandResult> runAll(List<Command> commands) {
            return delegate.runAll(commands.stream().map(this::renamed).toList());
        }

        @Override
        public org.zfssync.host.RunningPipeline start(org.zfssync.host.Pipeline pipeline) {
            return delegate.start(new org.zfssync.host.Pipeline(pipeline.stages().stream().map(this::renamed).toList()));
        }

        @Override
        public String display(org.zfssync.host.Pipeline pipeline) {
            return delegate.display(pipeline);
        }

        @Override
        public String display(Command command) {
            return delegate.display(renamed(command));
        }

        @Override
        public void close() {
        }
    }
}
