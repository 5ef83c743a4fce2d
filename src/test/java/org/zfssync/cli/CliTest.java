package org.zfssync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest {
    record Result(int exit, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ZfsSyncCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void helpExplainsEveryOptionAndTheExitCodes() {
        Result top = run("--help");
        assertThat(top.exit()).isZero();
        assertThat(top.out()).contains("sync", "demo", "Exit codes", "refused for safety");
        Result sync = run("sync", "--help");
        assertThat(sync.exit()).isZero();
        for (String option : new String[] {"--recursive", "--exclude", "--dry-run", "--json", "--snapshot-prefix",
            "--target-id", "--snapshot-name", "--no-snapshot", "--no-stream", "--keep-sync-snapshots", "--rollback",
            "--force-overwrite", "--raw", "--compressed", "--large-block", "--embed", "--props", "--no-mount",
            "--writable-targets", "--bwlimit", "--compress", "--mbuffer-size", "--no-mbuffer", "--retries", "--retry-max-delay", "--stall-timeout", "--recv-option", "--recv-exclude", "--ssh-port", "--ssh-identity", "--ssh-config",
            "--ssh-option", "--verbose", "--transport", "--direct-target-address", "--ssh-forward-agent"}) {
            assertThat(sync.out()).as(option).contains(option);
        }
    }

    @Test
    void unknownOptionIsOneLineAndExitTwo() {
        Result r = run("sync", "--bogus", "a/b", "c/d");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("Unknown option: '--bogus'", "zfs-sync sync --help");
    }

    @Test
    void missingArgumentIsExitTwoAwayFromATerminal() {
        // Tests run without a console: no pick list, one line saying what is needed.
        Result r = run("sync", "tank/a");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("sync needs SRC and DST", "only on a terminal");
        assertThat(run("sync").exit()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void invalidDatasetNameIsOneLineNamingTheProblem() {
        Result r = run("sync", "tank/a;rm -rf x", "backup/a");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("invalid dataset name 'tank/a;rm -rf x'", "character ';'");
    }

    @Test
    void badHostIsRefusedBeforeAnySshRuns() {
        Result r = run("sync", "--", "-oProxyCommand=touch x:tank/a", "backup/a");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("invalid host");
    }

    @Test
    void excludeWithoutRecursiveIsAUsageError() {
        Result r = run("sync", "--exclude", "x", "tank/a", "backup/a");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--exclude and --include need -r");
    }

    @Test
    void anUnknownCompressorIsOneLineListingTheChoices() {
        Result r = run("sync", "--compress", "gzip", "tank/a", "backup/a");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().strip().lines()).singleElement().asString().contains("auto, zstd, lz4 or none", "'gzip'");
    }

    @Test
    void aTransportThatDoesNotExistOrABadDirectAddressIsAUsageErrorBeforeAnySshRuns() {
        Result tls = run("sync", "--transport", "tls", "a:tank/a", "b:backup/a");
        assertThat(tls.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(tls.err().strip().lines()).singleElement().asString().contains("--transport tls needs --tls-listen");
        Result listen = run("sync", "--transport", "tls", "--tls-listen", "10.0.0.1:0", "a:tank/a", "b:backup/a");
        assertThat(listen.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(listen.err().strip().lines()).singleElement().asString().contains("invalid --tls-listen");
        Result half = run("sync", "--transport", "tls", "--tls-listen", "h", "--tls-ca", "/ca.pem", "a:tank/a",
                "b:backup/a");
        assertThat(half.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(half.err()).contains("go together");
        Result insecure = run("sync", "--insecure-direct", "a:tank/a", "b:backup/a");
        assertThat(insecure.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(insecure.err()).contains("--insecure-direct applies to --transport tls only");
        Result bad = run("sync", "--transport", "ssh-direct", "--direct-target-address", "-oProxyCommand=x",
                "a:tank/a", "b:backup/a");
        assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).contains("invalid direct target address");
        Result check = run("check", "--transport", "pigeon", "a:tank/a", "b:backup/a");
        assertThat(check.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(check.err()).contains("'pigeon'");
    }

    @Test
    void aTooSmallMbufferIsAUsageError() {
        Result r = run("sync", "--mbuffer-size", "100K", "tank/a", "backup/a");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--mbuffer-size must be at least 1M");
    }

    @Test
    void configExampleIsAValidConfigThatCheckAccepts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        Result example = run("config", "example");
        assertThat(example.exit()).isZero();
        java.nio.file.Path file = dir.resolve("zfs-sync.yaml");
        java.nio.file.Files.writeString(file, example.out());
        Result check = run("config", "check", "-c", file.toString());
        assertThat(check.exit()).as(check.err()).isZero();
        assertThat(check.out()).contains("valid, 3 job(s)", "name: \"vms\"", "bwlimit: \"20M\"");
    }

    @Test
    void aBrokenConfigIsExitTwoWithLineAndColumn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path file = dir.resolve("bad.yaml");
        java.nio.file.Files.writeString(file, "jobs:\n  - name: a\n    source: [x\n");
        Result check = run("config", "check", "-c", file.toString());
        assertThat(check.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(check.err()).contains("bad.yaml: line", "column");
    }

    @Test
    void aJobThatCannotRunDoesNotStopTheJobsAfterIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        // Neither job can run here (no such host; no zfs on this machine), yet both are tried and named.
        java.nio.file.Path file = dir.resolve("jobs.yaml");
        java.nio.file.Files.writeString(file, """
                jobs:
                  - name: far
                    source: nobody@nosuchhost.invalid:tank/a
                    targets: [pool/a]
                    ssh-options: [ConnectTimeout=5]
                  - name: near
                    source: tank/b
                    targets: [pool/b]
                """);
        Result r = run("run", "-c", file.toString(), "--lock-dir", dir.resolve("locks").toString(), "--history-db",
                dir.resolve("history.db").toString());
        assertThat(r.out() + r.err()).contains("job far", "job near");
        assertThat(r.exit()).isIn(ExitCodes.FAILED, ExitCodes.PREREQUISITE);
        // Each target's run is recorded, ended by its error, though neither reached a dataset.
        try (org.zfssync.history.HistoryStore store = org.zfssync.history.HistoryStore.open(
                dir.resolve("history.db"))) {
            assertThat(store.runs(null, null, 10)).extracting(org.zfssync.history.RunRecord::job,
                    org.zfssync.history.RunRecord::result).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("far", "ERROR"),
                    org.assertj.core.groups.Tuple.tuple("near", "ERROR"));
        }
        Result unrecorded = run("run", "-c", file.toString(), "--lock-dir", dir.resolve("locks").toString(),
                "--no-history", "--history-db", dir.resolve("none.db").toString());
        assertThat(unrecorded.out() + unrecorded.err()).contains("job far", "job near");
        assertThat(dir.resolve("none.db")).doesNotExist();
    }

    @Test
    void prerequisiteAndUnreachableHostsExitThree() {
        assertThat(ZfsSyncCommand.exitCode(new org.zfssync.host.MissingToolException("nas", "zfs", "zfsutils-linux")))
                .isEqualTo(ExitCodes.PREREQUISITE);
        assertThat(ZfsSyncCommand.exitCode(new org.zfssync.host.HostUnreachableException("no ssh")))
                .isEqualTo(ExitCodes.PREREQUISITE);
    }
}
