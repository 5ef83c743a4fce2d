package org.zfssync.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.zfssync.host.SshOptions;
import picocli.CommandLine.Option;

/** The ssh options every command that reaches a remote host shares (picocli mixin). */
final class SshOptionsMixin {
    @Option(names = "--ssh-port", paramLabel = "PORT", description = "ssh port for remote endpoints.")
    Integer sshPort;

    @Option(names = {"-i", "--ssh-identity"}, paramLabel = "FILE", description = "ssh private key (ssh -i).")
    Path sshIdentity;

    @Option(names = "--ssh-config", paramLabel = "FILE", description = "ssh configuration file (ssh -F).")
    Path sshConfig;

    @Option(names = "--ssh-option", paramLabel = "OPTION", description = "Extra ssh option, as for ssh -o "
            + "(e.g. StrictHostKeyChecking=yes). Repeatable.")
    List<String> sshOptions = new ArrayList<>();

    @Option(names = "--command-timeout", paramLabel = "SECONDS", defaultValue = "600", description = "Longest a "
            + "control command (a listing, a snapshot, a batch of destroys) may take before it is killed and counted "
            + "as failed, so a hung zfs never holds a run (and its lock) forever; streams have --stall-timeout "
            + "instead (default: ${DEFAULT-VALUE}).")
    int commandTimeout;

    /** Whether any ssh setting was given here (a subcommand then takes its parent's when not). */
    boolean given() {
        return sshPort != null || sshIdentity != null || sshConfig != null || !sshOptions.isEmpty();
    }

    SshOptions toSshOptions() {
        if (commandTimeout < 1) {
            throw new IllegalArgumentException("--command-timeout must be at least 1 second");
        }
        return new SshOptions(Optional.ofNullable(sshPort), Optional.ofNullable(sshIdentity),
                Optional.ofNullable(sshConfig), sshOptions).withCommandTimeout(java.time.Duration.ofSeconds(commandTimeout));
    }
}
