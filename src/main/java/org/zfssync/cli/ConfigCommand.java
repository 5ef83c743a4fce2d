package org.zfssync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.zfssync.job.Config;
import org.zfssync.job.ConfigLoader;
import org.zfssync.job.Job;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code zfs-sync config check|example}: validate and show the effective config, or print a commented example. */
@Command(name = "config", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = "Work with the jobs file (YAML): check it, or print a commented example.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Example.class})
public final class ConfigCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: check or example");
    }

    /** Validates the file and prints every job with its defaults applied. */
    @Command(name = "check", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Validate the config (every problem, with line and column; exit 2 if any) and print the "
                    + "effective config: each job with its defaults applied.")
    static final class Check implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file (default: ${DEFAULT-VALUE}).",
                defaultValue = "/etc/zfs-sync/zfs-sync.yaml")
        Path file;

        @Override
        public void run() {
            Config config = new ConfigLoader().load(file);
            PrintWriter out = spec.commandLine().getOut();
            out.println("# " + file + ": valid, " + config.jobs().size() + " job(s); effective settings:");
            out.print(effective(config));
            out.flush();
        }

        static String effective(Config config) {
            ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
                    .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                    .setSerializationInclusion(JsonInclude.Include.NON_NULL);
            List<Map<String, Object>> jobs = config.jobs().stream().map(Check::asMap).toList();
            try {
                return yaml.writeValueAsString(Map.of("jobs", jobs));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static Map<String, Object> asMap(Job job) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", job.name());
            m.put("source", job.source());
            m.put("targets", job.targets());
            m.put("settings", job.settings());
            return m;
        }
    }

    /** Prints the commented example; it is itself a valid config (a test loads it). */
    @Command(name = "example", mixinStandardHelpOptions = true,
            description = "Print a commented example config: zfs-sync config example > /etc/zfs-sync/zfs-sync.yaml")
    static final class Example implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            try (InputStream in = ConfigLoader.class.getResourceAsStream("example.yaml")) {
                if (in == null) {
                    throw new IllegalStateException("the example config is missing from the jar");
                }
                PrintWriter out = spec.commandLine().getOut();
                out.print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
