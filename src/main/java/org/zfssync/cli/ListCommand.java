package org.zfssync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.zfssync.host.CommandFailedException;
import org.zfssync.host.CommandResult;
import org.zfssync.host.CommandStats;
import org.zfssync.host.Host;
import org.zfssync.host.Hosts;
import org.zfssync.host.SshOptions;
import org.zfssync.job.ConfigLoader;
import org.zfssync.job.Lag;
import org.zfssync.job.LagReader;
import org.zfssync.replication.Glob;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.Inventory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zfs-sync list [WHERE]}: every dataset on a host (or below a root), filtered. Changes nothing. */
@Command(name = "list", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = "List every filesystem and volume (all levels) with used and referenced space, snapshot count "
                + "and newest snapshot, from one zfs list; with a config file, also each job target's replication "
                + "lag. WHERE is [user@]host: (every dataset there), "
                + "[user@]host:pool/fs, a local pool/fs, or nothing for every local dataset.")
public final class ListCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "WHERE", description = "[user@]host:, [user@]host:pool/fs, or pool/fs.")
    String where;

    @Option(names = "--filter", paramLabel = "GLOB", description = "Only datasets whose name matches GLOB "
            + "(* within a component, ** across).")
    String filter;

    @Option(names = "--regex", paramLabel = "RE", description = "Only datasets whose name matches the regular expression.")
    String regex;

    @Option(names = "--type", paramLabel = "TYPE", split = ",", description = "filesystem, volume (default: both).")
    List<String> types = new ArrayList<>();

    @Option(names = "--json", description = "Print the rows as JSON.")
    boolean json;

    @Option(names = "--ssh-config", paramLabel = "FILE", description = "ssh configuration file (ssh -F).")
    Path sshConfig;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file whose jobs add a LAG column: "
            + "per target, the age of the newest snapshot it has (default: " + DEFAULT_CONFIG + ", when it exists).")
    Path config;

    static final String DEFAULT_CONFIG = "/etc/zfs-sync/zfs-sync.yaml";

    /** A listed dataset, with the replication lag of each configured target of it. */
    record Listed(String name, String type, long used, long referenced, int snapshots, String newestSnapshot,
                  long newestCreation, List<Lag> lag) {
    }

    @Override
    public Integer call() {
        if (filter != null && regex != null) {
            throw new IllegalArgumentException("use --filter or --regex, not both");
        }
        Pattern re;
        try {
            re = regex == null ? null : Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("--regex '" + regex + "' is not a valid regular expression: "
                    + e.getDescription());
        }
        Glob glob = filter == null ? null : Glob.of(filter);
        for (String t : types) {
            if (!t.equals("filesystem") && !t.equals("volume")) {
                throw new IllegalArgumentException("--type must be filesystem or volume, not '" + t + "'");
            }
        }
        Optional<String> host = Optional.empty();
        DatasetName root = null;
        if (where != null) {
            int colon = where.indexOf(':');
            if (colon >= 0) {
                host = Optional.of(where.substring(0, colon));
                root = where.substring(colon + 1).isEmpty() ? null : DatasetName.of(where.substring(colon + 1));
            } else {
                root = DatasetName.of(where);
            }
        }
        List<Inventory.Row> rows;
        try (Hosts hosts = new Hosts(new SshOptions(Optional.empty(), Optional.empty(), Optional.ofNullable(sshConfig),
                List.of()), new CommandStats())) {
            Host h = hosts.get(host);
            CommandResult r = h.run(Inventory.command(root));
            if (!r.ok()) {
                throw new CommandFailedException(r);
            }
            rows = Inventory.parse(r.stdout());
        }
        List<Lag> lags = lags(host);
        List<Listed> shown = new ArrayList<>();
        for (Inventory.Row row : rows) {
            boolean typeOk = types.isEmpty() || types.contains(row.type());
            boolean nameOk = (glob == null || glob.matches(row.name(), row.name()))
                    && (re == null || re.matcher(row.name()).find());
            if (typeOk && nameOk) {
                shown.add(new Listed(row.name(), row.type(), row.used(), row.referenced(), row.snapshots(),
                        row.newestSnapshot(), row.newestCreation(),
                        lags.stream().filter(l -> l.dataset().equals(row.name())).toList()));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            try {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(shown));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            boolean withLag = !lags.isEmpty();
            out.printf("%-40s %-10s %10s %10s %6s  %s%s%n", "NAME", "TYPE", "USED", "REFER", "SNAPS", "NEWEST SNAPSHOT",
                    withLag ? "  LAG (job -> target)" : "");
            for (Listed row : shown) {
                out.printf("%-40s %-10s %10s %10s %6d  %s%s%n", row.name(), row.type(), Bytes.human(row.used()),
                        Bytes.human(row.referenced()), row.snapshots(), row.newestSnapshot() == null ? "-"
                                : row.newestSnapshot() + " (" + Instant.ofEpochSecond(row.newestCreation()) + ")",
                        withLag ? "  " + lagText(row.lag()) : "");
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The lag of configured jobs whose source is on the listed host; none without a config file. */
    private List<Lag> lags(Optional<String> host) {
        Path file = config != null ? config : Path.of(DEFAULT_CONFIG);
        if (config == null && !Files.isReadable(file)) {
            return List.of();
        }
        return new LagReader(Clock.systemUTC()).read(new ConfigLoader().load(file), host);
    }

    private static String lagText(List<Lag> lags) {
        if (lags.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        for (Lag l : lags) {
            parts.add(l.job() + " -> " + l.target() + ": " + l.shortText());
        }
        return String.join(", ", parts);
    }
}
