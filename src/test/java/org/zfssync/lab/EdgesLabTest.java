package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.zfssync.host.ShellQuote;

/**
 * The edges of a run on real OpenZFS and real ssh (scenarios 10, 11 and 14 of the replication
 * state issue): one dataset's failure neither stops the others' streams nor releases their holds;
 * csh and tcsh login shells on both sides run every command intact; a hung {@code zfs} meets its
 * deadline and frees the lock; a host name with shell characters is refused before any command;
 * the user's own ssh options win over zfs-sync's defaults; a receive failing in a sequence of tiny
 * streams is named, and the datasets after it arrive alone.
 */
@ZfsLab
class EdgesLabTest {
    private static final List<String> FLAGS = List.of("--target-id", "t1", "--compress=none",
            "--retry-initial-delay-ms=300");

    private static LabFixture.Run sync(LabFixture lab, String... args) {
        List<String> argv = new ArrayList<>(FLAGS);
        argv.addAll(List.of(args));
        return lab.zfsSync("sync", argv.toArray(String[]::new));
    }

    private static Map<String, JsonNode> bySource(LabFixture.Run run) {
        Map<String, JsonNode> result = new java.util.LinkedHashMap<>();
        run.json().get("datasets").forEach(d -> result.put(d.get("source").asText(), d));
        return result;
    }

    /**
     * Scenario 10. Two workers: {@code p/a} fails at once (its target is over quota), {@code p/b}
     * sends 40 MiB at 4 MiB/s. Long after a's failure, b's stream goes on with its snapshots held;
     * b ends DONE with identical data, a FAILED with zfs's own words, and nothing is left held.
     */
    @Test
    void oneDatasetFailingNeitherStopsNorUnholdsTheOthers(LabFixture lab) {
        String s = lab.sourcePool() + "/p";
        lab.sh("zfs create " + s + " && zfs create " + s + "/a && zfs create " + s + "/b");
        lab.writeRandom(s + "/a", "f", 1);
        lab.writeRandom(s + "/b", "f", 1);
        LabFixture.Run first = sync(lab, "-r", lab.src("p"), lab.dst("p"));
        assertThat(first.exitCode()).as(first.toString()).isZero();

        lab.sh("zfs set quota=2M " + lab.targetPool() + "/p/a");
        lab.writeRandom(s + "/a", "g", 8);
        lab.writeRandom(s + "/b", "g", 40);
        LabFixture.Background run = lab.start("sync", "--target-id", "t1", "--compress=none", "--retries=1",
                "--retry-initial-delay-ms=300", "-r", "-j", "2", "--bwlimit", "4M", "--json", lab.src("p"),
                lab.dst("p"));
        // Wait for a's failure to be logged, then look at b while its stream still runs.
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline && run.isAlive() && !failureOfA(run.stderrSoFar(), s)) {
            LabFixture.sleep(250);
        }
        boolean failedFirst = failureOfA(run.stderrSoFar(), s);
        boolean aliveAfterFailure = run.isAlive();
        List<String> holdsOfBWhileSending = StateLab.holds(lab, s + "/b");
        boolean stillSending = run.isAlive();
        LabFixture.Run done = run.await(Duration.ofMinutes(5));
        System.out.printf("[lab figures] scenario 10: a failed while b sent: %s; b's holds then: %s%n",
                failedFirst && aliveAfterFailure, holdsOfBWhileSending);

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(failedFirst && aliveAfterFailure).as("a failed while the run still went on\n%s", done).isTrue();
        soft.assertThat(stillSending).as("b still sending after the holds were read\n%s", done).isTrue();
        soft.assertThat(holdsOfBWhileSending).as("b's snapshots held while it sends, after a failed")
                .anyMatch(h -> h.contains(LabFixture.HOLD_PREFIX));
        soft.assertThat(done.exitCode()).as("exit code: some datasets failed\n%s", done).isEqualTo(1);
        Map<String, JsonNode> results = bySource(done);
        soft.assertThat(results.get(s + "/a").get("status").asText()).as("a").isEqualTo("FAILED");
        soft.assertThat(results.get(s + "/a").get("message").asText()).as("a's message")
                .containsAnyOf("quota", "space");
        soft.assertThat(results.get(s + "/b").get("status").asText()).as("b").isEqualTo("DONE");
        soft.assertThat(lab.checksumOfNewestSnapshot(s + "/b")).as("b's data")
                .isEqualTo(lab.checksum(lab.targetPool() + "/p/b"));
        soft.assertThat(lab.leftovers().holds()).as("holds left").isEmpty();
        soft.assertAll();
    }

    /**
     * The tiny datasets of a tree go back to back on one session per side: a full sync of a root
     * and four children of 64 KiB arrives in one sequence (10 streams); then, in the incremental
     * sequence, c2's receive fails (its target over quota): c2 fails alone too, its message naming
     * {@code zfs receive}, the target host and zfs's words, while c3 and c4, after it in the
     * sequence, go on alone and arrive, and c1, before it, arrived in the sequence.
     */
    @Test
    void aReceiveFailingInASequenceIsNamedAndTheDatasetsAfterItArriveAlone(LabFixture lab) {
        String s = lab.sourcePool() + "/q";
        String t = lab.targetPool() + "/q";
        List<String> children = List.of("c1", "c2", "c3", "c4");
        lab.sh("zfs create " + s + " && for c in " + String.join(" ", children) + "; do zfs create " + s + "/$c"
                + " && head -c 64K /dev/urandom > /" + s + "/$c/f; done && zpool sync && zfs snapshot -r " + s + "@u1");
        LabFixture.Run full = sync(lab, "-r", "-v", "--json", lab.src("q"), lab.dst("q"));
        assertThat(full.exitCode()).as(full.toString()).isZero();
        assertThat(full.stderr()).as("one sequence per side").contains(
                "10 streams of 5 datasets in one session on each side");

        lab.sh("zfs set quota=256K " + t + "/c2 && for c in " + String.join(" ", children) + "; do head -c 512K"
                + " /dev/urandom > /" + s + "/$c/g; done && zpool sync");
        LabFixture.Run next = sync(lab, "-r", "-v", "--json", "--retries=1", lab.src("q"), lab.dst("q"));
        System.out.printf("[lab figures] a receive failing in a sequence: exit %d%n", next.exitCode());
        Map<String, JsonNode> results = bySource(next);
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(next.exitCode()).as("exit code: one dataset failed\n%s", next).isEqualTo(1);
        soft.assertThat(next.stderr()).as("the sequence stopped at c2, the rest went on alone")
                .contains("4 streams of 4 datasets in one session on each side")
                .contains("3 dataset(s) go on alone");
        soft.assertThat(results.get(s + "/c2").get("status").asText()).as("c2").isEqualTo("FAILED");
        soft.assertThat(results.get(s + "/c2").get("message").asText()).as("c2's message")
                .contains("zfs receive").contains(LabGuest.TARGET_HOST).containsAnyOf("quota", "space");
        for (String c : List.of("c1", "c3", "c4")) {
            soft.assertThat(results.get(s + "/" + c).get("status").asText()).as(c).isEqualTo("DONE");
            soft.assertThat(lab.checksum(t + "/" + c)).as(c + "'s data").isEqualTo(lab.checksumOfNewestSnapshot(s + "/"
                    + c));
        }
        soft.assertThat(lab.leftovers().holds()).as("holds left").isEmpty();
        soft.assertAll();
    }

    private static boolean failureOfA(String stderr, String source) {
        return stderr.lines().anyMatch(l -> l.contains(source + "/a") && (l.contains("quota") || l.contains("space")));
    }

    /**
     * Scenario 11. The source is reached as a uid-0 user whose login shell is tcsh, the target as
     * one whose login shell is csh (FreeBSD's root before 14.0): a full and an incremental sync of
     * a tree with a space in a dataset name, every batch intact, data identical, the cursor set.
     */
    @Test
    void cshAndTcshLoginShellsOnBothSides(LabFixture lab) {
        loginUser(lab, "zs-tcsh", "/usr/bin/tcsh");
        loginUser(lab, "zs-csh", "/usr/bin/bsd-csh");
        for (String[] userAndShell : new String[][] {{"zs-tcsh", "tcsh"}, {"zs-csh", "bsd-csh"}}) {
            assertThat(lab.sh("ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new " + userAndShell[0]
                    + "@localhost 'ps -o comm= -p $$'").strip()).as("the shell ssh starts for %s", userAndShell[0])
                    .isEqualTo(userAndShell[1]);
        }
        String s = lab.sourcePool() + "/c";
        lab.sh("zfs create " + s + " && zfs create " + ShellQuote.quote(s + "/two words")
                + " && zfs snapshot -r " + s + "@u1");
        lab.writeRandom(s, "f", 2);
        lab.writeRandom(s + "/two words", "f", 2);
        String src = "zs-tcsh@" + lab.src("c");
        String dst = "zs-csh@" + lab.dst("c");

        LabFixture.Run full = sync(lab, "-r", "--json", src, dst);
        lab.writeRandom(s + "/two words", "g", 1);
        LabFixture.Run incremental = sync(lab, "-r", "--json", src, dst);

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(full.exitCode()).as("full\n%s", full).isZero();
        soft.assertThat(incremental.exitCode()).as("incremental\n%s", incremental).isZero();
        if (incremental.exitCode() == 0) {
            soft.assertThat(bySource(incremental).get(s + "/two words").get("from").asText())
                    .as("incremental from the first run's snapshot").contains("@zfs-sync_t1_");
        }
        for (String d : List.of("", "/two words")) {
            soft.assertThat(lab.checksum(lab.targetPool() + "/c" + d)).as("data of c%s", d)
                    .isEqualTo(lab.checksumOfNewestSnapshot(s + d));
            soft.assertThat(lab.snapshotGuids(lab.targetPool() + "/c" + d)).as("snapshots of c%s", d)
                    .containsKey("u1");
        }
        String newest = StateLab.newestGuid(lab, s + "/two words");
        soft.assertThat(lab.bookmarkGuids(s + "/two words")).as("cursor of c/two words")
                .containsEntry(StateLab.cursorName("t1", newest), newest);
        soft.assertThat(lab.leftovers().isEmpty()).as("leftovers %s", lab.leftovers()).isTrue();
        soft.assertAll();
    }

    /** A uid-0 account with its own login shell and root's key, as FreeBSD's root with csh. */
    private static void loginUser(LabFixture lab, String user, String shell) {
        lab.sh("id " + user + " >/dev/null 2>&1 || useradd -o -u 0 -g 0 -M -d /home/" + user + " -s " + shell + " "
                + user + "; install -d -m 700 /home/" + user + "/.ssh && install -m 600 /root/.ssh/authorized_keys /home/"
                + user + "/.ssh/authorized_keys");
    }

    /**
     * Scenario 14, the deadline. {@code zfs list} of this test's pool hangs (a wrapper ahead of
     * zfs in PATH, for this pool only): with {@code --command-timeout 5} the run ends with an error
     * naming the command and its deadline, leaves nothing behind, and the next run takes the lock
     * at once and replicates.
     */
    @Test
    void aHungZfsCommandMeetsItsDeadlineAndFreesTheLock(LabFixture lab) {
        String s = lab.sourcePool() + "/h";
        lab.sh("zfs create " + s);
        lab.writeRandom(s, "f", 1);
        lab.sh("printf '%s\\n' '#!/bin/sh' 'if [ -e /run/zfs-sync-lab-hang ] && case \"$*\" in *list*\"'"
                + lab.sourcePool() + "'\"*) true;; *) false;; esac; then sleep 120; fi' 'exec /sbin/zfs \"$@\"'"
                + " > /usr/local/sbin/zfs && chmod 755 /usr/local/sbin/zfs && touch /run/zfs-sync-lab-hang");
        LabFixture.Run hung;
        Duration took;
        try {
            List<String> argv = new ArrayList<>(FLAGS);
            argv.addAll(List.of("--command-timeout", "5", lab.src("h"), lab.dst("h")));
            LabFixture.Background run = lab.start("sync", argv.toArray(String[]::new));
            hung = run.await(Duration.ofMinutes(5));
            took = Duration.between(run.startedAt(), run.exitedAt());
        } finally {
            lab.sh("rm -f /run/zfs-sync-lab-hang /usr/local/sbin/zfs");
        }
        LabFixture.Leftovers left = lab.leftovers();
        LabFixture.Run next = sync(lab, lab.src("h"), lab.dst("h"));

        SoftAssertions soft = new SoftAssertions();
        System.out.printf("[lab figures] a zfs list hung for 120 s, --command-timeout 5: the run ended after %d ms%n",
                took.toMillis());
        soft.assertThat(hung.exitCode()).as("the hung run\n%s", hung).isNotZero().isNotEqualTo(5);
        // The hang lasts 120 s; a run that waits for it has not met its 5 s deadline (the margin is for the JVM).
        soft.assertThat(took).as("the hung run ends at its deadline, not with the hang").isLessThan(Duration.ofSeconds(60));
        soft.assertThat(hung.stderr()).as("names the command and its deadline\n%s", hung).contains("zfs")
                .containsAnyOf("5 s", "5s", "deadline", "timed out", "timeout");
        soft.assertThat(left.isEmpty()).as("leftovers %s", left).isTrue();
        soft.assertThat(next.exitCode()).as("the next run takes the lock and replicates\n%s", next).isZero();
        soft.assertThat(lab.checksum(lab.targetPool() + "/h")).isEqualTo(lab.checksumOfNewestSnapshot(s));
        soft.assertAll();
    }

    /** Scenario 14, host names: shell characters are refused with one line and exit 2, and no command runs. */
    @Test
    void hostNamesWithShellCharactersAreRefusedBeforeAnyCommand(LabFixture lab) {
        String s = lab.sourcePool() + "/n";
        lab.sh("zfs create " + s);
        String before = lab.fullListing(lab.sourcePool()) + lab.fullListing(lab.targetPool());
        SoftAssertions soft = new SoftAssertions();
        for (String host : List.of("zfslab-src;touch${IFS}/tmp/pwned", "zfslab-src$(touch /tmp/pwned)",
                "`touch /tmp/pwned`zfslab-src", "-oProxyCommand=touch /tmp/pwned")) {
            LabFixture.Run run = lab.zfsSync("sync", "--target-id", "t1", host + ":" + s, lab.dst("n"));
            soft.assertThat(run.exitCode()).as("%s\n%s", host, run).isEqualTo(2);
            soft.assertThat(run.stderr().strip().lines().filter(l -> !l.isBlank()).count())
                    .as("one line for %s\n%s", host, run).isEqualTo(1);
        }
        soft.assertThat(lab.shResult("test -e /tmp/pwned").exitCode()).as("no command ran in the guest").isNotZero();
        soft.assertThat(new java.io.File("/tmp/pwned")).as("no command ran here").doesNotExist();
        soft.assertThat(lab.fullListing(lab.sourcePool()) + lab.fullListing(lab.targetPool())).as("pools unchanged")
                .isEqualTo(before);
        soft.assertAll();
    }

    /**
     * Scenario 14, ssh options. A server that accepts and never says a word: zfs-sync's own
     * ConnectTimeout is 30 s, the user's {@code --ssh-option ConnectTimeout=2} must be the one
     * ssh obeys (ssh takes the first value it reads). The server measures how long each client
     * stayed, so the JVM's start and the machine's load do not count.
     */
    @Test
    void theUsersSshOptionsWinOverZfsSyncsDefaults(LabFixture lab) throws IOException {
        List<Duration> stays = Collections.synchronizedList(new ArrayList<>());
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> acceptSilently(silent, stays), "silent ssh server");
            acceptor.setDaemon(true);
            acceptor.start();
            LabFixture.Run run = lab.zfsSyncPlain("sync", "--target-id", "t1", "--ssh-port",
                    String.valueOf(silent.getLocalPort()), "--ssh-option", "ConnectTimeout=2",
                    "root@127.0.0.1:" + lab.sourcePool() + "/x", lab.targetPool() + "/x");
            System.out.printf("[lab figures] silent server: exit %d, client stays %s%n", run.exitCode(), stays);
            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(run.exitCode()).as("unreachable\n%s", run).isEqualTo(3);
            soft.assertThat(run.stderr()).as("ssh's own words\n%s", run).containsIgnoringCase("banner");
            soft.assertThat(stays).as("connections made").isNotEmpty();
            soft.assertThat(stays).as("each ssh gave up after the user's 2 s, not zfs-sync's 30 s")
                    .allSatisfy(d -> assertThat(d).isLessThan(Duration.ofSeconds(15)));
            soft.assertAll();
        }
    }

    private static void acceptSilently(ServerSocket server, List<Duration> stays) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> {
                    long t0 = System.nanoTime();
                    try (client; InputStream in = client.getInputStream()) {
                        while (in.read() >= 0) {
                            // drain what the client says until it hangs up
                        }
                    } catch (IOException e) {
                        // the client hung up hard: its stay ends here too
                    }
                    stays.add(Duration.ofNanos(System.nanoTime() - t0));
                }, "silent ssh client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }
}
