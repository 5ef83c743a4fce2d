package org.zfssync.zfs;

import org.zfssync.host.Command;
import org.zfssync.host.CommandFailedException;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.host.MissingToolException;
import org.zfssync.host.Parsed;

/** Read-side ZFS operations on one host, with zfs's failures turned into typed answers. */
public final class Zfs {
    static final String ZFS_PACKAGES = "zfsutils-linux (Debian/Ubuntu), zfs (RHEL, from the OpenZFS repository), "
            + "or use FreeBSD's base system";
    private static final int NOT_FOUND = 127;
    private final Host host;
    private ZfsVersion version;

    public Zfs(Host host) {
        this.host = host;
    }

    public Host host() {
        return host;
    }

    /** The host's OpenZFS version: probed once, then remembered for the run. */
    public synchronized ZfsVersion version() {
        if (version == null) {
            CommandResult r;
            try {
                r = host.run(ZfsCommands.version());
            } catch (org.zfssync.host.HostUnreachableException e) {
                if (host.isLocal()) {
                    throw new MissingToolException(host.name(), "zfs", ZFS_PACKAGES);
                }
                throw e;
            }
            acceptVersion(r);
        }
        return version;
    }

    /**
     * Takes the answer of {@link ZfsCommands#version()} run elsewhere (in a batch with other
     * probes), so the version is known without a round trip of its own.
     */
    public synchronized ZfsVersion acceptVersion(CommandResult r) {
        if (isMissing(r)) {
            throw new MissingToolException(host.name(), "zfs", ZFS_PACKAGES);
        }
        if (!r.ok()) {
            throw new CommandFailedException(r);
        }
        // A batched command's output arrives merged into one text (see Host#runAll).
        version = ZfsVersion.parse(r.stdout().isBlank() ? r.stderr() : r.stdout());
        return version;
    }

    /** Lists {@code root} once, parsing as the listing streams; a root that does not exist gives an empty state. */
    public TreeState list(DatasetName root, boolean recursive) {
        Parsed<TreeState> parsed = host.read(ZfsCommands.list(root, recursive), out -> ZfsListParser.parse(out, root));
        CommandResult r = parsed.result();
        if (!r.ok()) {
            if (r.stderr().contains("dataset does not exist")) {
                return TreeState.absent(root);
            }
            if (isMissing(r)) {
                throw new MissingToolException(host.name(), "zfs", ZFS_PACKAGES);
            }
            throw new CommandFailedException(r);
        }
        return parsed.value();
    }

    /** The file systems and volumes directly below {@code parent}; none when it does not exist. */
    public java.util.List<DatasetName> children(DatasetName parent) {
        CommandResult r = host.run(ZfsCommands.children(parent));
        if (!r.ok()) {
            if (r.stderr().contains("does not exist")) {
                return java.util.List.of();
            }
            throw new CommandFailedException(r);
        }
        java.util.List<DatasetName> names = new java.util.ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank() && !line.strip().equals(parent.value())) {
                names.add(DatasetName.of(line.strip()));
            }
        }
        return names;
    }

    static boolean isMissing(CommandResult r) {
        return r.exitCode() == NOT_FOUND || r.stderr().contains("zfs: command not found")
                || r.stderr().contains("zfs: not found");
    }
}
