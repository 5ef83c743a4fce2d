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

    SshOptions toSshOptions() {
        return new SshOptions(Optional.ofNullable(sshPort), Optional.ofNullable(sshIdentity),
                Optional.ofNullable(sshConfig), sshOptions);
    }
}
