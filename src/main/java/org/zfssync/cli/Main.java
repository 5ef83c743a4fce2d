package org.zfssync.cli;

import picocli.CommandLine;

/** Entry point of the {@code zfs-sync} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        return ZfsSyncCommand.commandLine().execute(args);
    }
}
