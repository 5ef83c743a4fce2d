package org.zfssync.cli;

import ch.qos.logback.classic.Level;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import org.zfssync.host.CommandFailedException;
import org.zfssync.host.HostUnreachableException;
import org.zfssync.host.MissingToolException;
import org.zfssync.replication.PlanningException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The top-level {@code zfs-sync} command: global options and the subcommands. */
@Command(name = "zfs-sync", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Replicates ZFS datasets between hosts: snapshots, zfs send | zfs receive over SSH "
                + "(full, incremental), recursive trees, --dry-run.",
        subcommands = {SyncCommand.class, RestoreCommand.class, JobCommands.Run.class, JobCommands.Snapshot.class, JobCommands.Prune.class, ListCommand.class, VerifyCommand.class,
                HistoryCommand.class, StatusCommand.class,
                CheckCommand.class, AllowCommand.class, DaemonCommand.class, ReloadCommand.class, TriggerCommand.class,
                ConfigCommand.class, DemoCommand.class, CommandLine.HelpCommand.class},
        footer = ExitCodes.HELP)
public final class ZfsSyncCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Show every command zfs-sync runs, on every host, as it runs it.")
    void verbose(boolean on) {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.zfssync");
        logger.setLevel(on ? Level.DEBUG : Level.INFO);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try: zfs-sync sync --help)");
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ZfsSyncCommand());
        cli.setExitCodeExceptionMapper(ZfsSyncCommand::exitCode);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("zfs-sync: " + message(e));
            err.flush();
            return exitCode(e);
        });
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("zfs-sync: " + e.getMessage() + " (see: zfs-sync "
                    + e.getCommandLine().getCommandName().replace("zfs-sync", "").strip() + " --help)");
            err.flush();
            return ExitCodes.USAGE;
        });
        return cli;
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    static int exitCode(Throwable e) {
        if (e instanceof IllegalArgumentException || e instanceof PlanningException
                || e instanceof CommandLine.ParameterException) {
            return ExitCodes.USAGE;
        }
        if (e instanceof MissingToolException || e instanceof HostUnreachableException) {
            return ExitCodes.PREREQUISITE;
        }
        if (e instanceof CommandFailedException f && f.result().exitCode() == 255 && !f.result().host().equals("local")) {
            return ExitCodes.PREREQUISITE;
        }
        return ExitCodes.FAILED;
    }
}
