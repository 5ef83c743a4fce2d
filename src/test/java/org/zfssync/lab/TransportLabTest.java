package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code --transport ssh-direct} and {@code --transport tls} between two real hosts (two guests on
 * a private link): the stream goes from the source to the target by itself, this machine keeps
 * only control traffic, a stage failing on either host is named with its host and stderr, a cut
 * stream resumes from the target's token, {@code --bwlimit} holds, and a link that cannot work
 * (wrong certificate, closed port, unreachable listener) is exit 3 before anything changes.
 */
@TwoGuestLab
@Tag("twoguests")
class TransportLabTest {
    private static final long MIB = 1024 * 1024;
    private static final String FAST_RETRY = "--retry-initial-delay-ms=300";
    private static final String[] DIRECT = {"--transport", "ssh-direct", "--direct-target-address", TwoGuests.PEER};

    private static final String[] TLS = {"--transport", "tls", "--tls-listen", TwoGuests.SOURCE_IP};

    private static String[] args(String... more) {
        return with(DIRECT, more);
    }

    private static String[] with(String[] transport, String... more) {
        String[] all = new String[transport.length + more.length];
        System.arraycopy(transport, 0, all, 0, transport.length);
        System.arraycopy(more, 0, all, transport.length, more.length);
        return all;
    }

    /**
     * 64 MiB in a tree of two datasets: checked reachable first, then sent directly; the private
     * link carries the data, the guests' ssh-forward cards (all that this machine's ssh uses)
     * move under 5 MiB between them, and both datasets arrive intact.
     */
    @Test
    void aRecursiveTreeGoesStraightFromSourceToTargetAndArrivesIntact(TwoGuests.Fixture lab) {
        treeGoesByItself(lab, "data", DIRECT, TwoGuests.SOURCE_HOST + " reaches " + TwoGuests.PEER,
                "streams go by ssh-direct");
    }

    /**
     * Sends a 64 MiB tree of two datasets by {@code transport} after {@code check} (which must say
     * {@code checked}): the run says {@code streamsLine}, the private link carries the data, the
     * guests' ssh-forward cards move under 5 MiB between them, and both datasets arrive intact.
     */
    private static LabFixture.Run treeGoesByItself(TwoGuests.Fixture lab, String name, String[] transport,
                                                   String checked, String streamsLine) {
        String data = lab.sourcePool() + "/" + name;
        lab.sourceSh("zfs create " + data + " && zfs create " + data + "/child");
        lab.source().writeRandom(data, "big", 48);
        lab.source().writeRandom(data + "/child", "small", 16);

        LabFixture.Run check = lab.zfsSync("check", with(transport, lab.src(name), lab.dst(name)));
        assertThat(check.exitCode()).as(check.toString()).isZero();
        assertThat(check.stdout()).contains(checked);

        long forwardBefore = lab.sourceBytes(TwoGuests.FORWARD) + lab.targetBytes(TwoGuests.FORWARD);
        long linkBefore = lab.targetReceived(TwoGuests.LINK);
        LabFixture.Run run = lab.zfsSync("sync", with(transport, "-r", "--json", "-v", lab.src(name), lab.dst(name)));
        long forward = lab.sourceBytes(TwoGuests.FORWARD) + lab.targetBytes(TwoGuests.FORWARD) - forwardBefore;
        long link = lab.targetReceived(TwoGuests.LINK) - linkBefore;
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).contains(streamsLine);
        long counted = 0;
        for (JsonNode d : run.json().get("datasets")) {
            counted += d.get("bytes").asLong();
        }
        System.out.printf("[lab figures] %s, 64 MiB tree: private link %d bytes in, controller's ssh forwards "
                + "%d bytes both ways, zfs-sync counted %d bytes%n", transport[1], link, forward, counted);
        assertThat(link).as("the data crossed the private link").isGreaterThan(64 * MIB);
        assertThat(forward).as("only control traffic through this machine's ssh").isLessThan(5 * MIB);
        assertThat(counted).as("the source-side counter saw the stream").isGreaterThan(60 * MIB);
        String target = lab.targetPool() + "/" + name;
        assertThat(lab.targetChecksum(target)).isEqualTo(lab.source().checksumOfNewestSnapshot(data));
        assertThat(lab.targetChecksum(target + "/child")).isEqualTo(lab.source().checksumOfNewestSnapshot(
                data + "/child"));
        return run;
    }

    /** A receive that runs out of quota on the target: the failure names zfs receive, the target host and what zfs said. */
    @Test
    void aStageFailingOnTheTargetIsNamedWithItsHostAndStderr(TwoGuests.Fixture lab) {
        String data = lab.sourcePool() + "/q";
        lab.sourceSh("zfs create " + data);
        lab.source().writeRandom(data, "f", 16);
        lab.targetSh("zfs create -o quota=4M " + lab.targetPool() + "/small");

        LabFixture.Run run = lab.zfsSync("sync", args("--json", FAST_RETRY, "--compress=none", lab.src("q"),
                lab.dst("small/q")));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        String message = run.json().get("datasets").get(0).get("message").asText();
        System.out.println("[lab figures] over quota, ssh-direct: " + message);
        assertThat(message).contains("`zfs receive").contains("on " + TwoGuests.TARGET_HOST + " failed")
                .containsAnyOf("quota", "space");
    }

    /**
     * The source's own ssh to the target, killed in the guest when it has carried 40 % of the
     * stream: the run retries, resumes from the target's token and arrives intact.
     */
    @Test
    void aCutDirectStreamResumesFromTheToken(TwoGuests.Fixture lab) throws Exception {
        String data = lab.sourcePool() + "/cut";
        lab.sourceSh("zfs create " + data);
        lab.source().writeRandom(data, "f", 32);
        long offset = 13 * MIB;
        CompletableFuture<String> killer = CompletableFuture.supplyAsync(() -> killDirectSshAt(lab, offset));
        LabFixture.Run run = lab.zfsSync("sync", args("--json", FAST_RETRY, "--compress=none", "--mbuffer-size=2M",
                lab.src("cut"), lab.dst("cut")));
        String killed = killer.get();
        assertThat(killed).as("the fault was injected").startsWith("killed");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode result = run.json().get("datasets").get(0);
        System.out.printf("[lab figures] ssh-direct cut: %s; %d retries; %d bytes counted in all%n", killed,
                result.get("retries").asInt(), result.get("bytes").asLong());
        assertThat(result.get("retries").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(run.stderr()).contains("from its receive_resume_token");
        assertThat(lab.targetChecksum(lab.targetPool() + "/cut")).isEqualTo(lab.source().checksumOfNewestSnapshot(data));
    }

    /**
     * The same tree by tls: checked first (a handshake from the target to the source's listener),
     * then each dataset over its own TLS connection on the private link, intact; this machine's
     * ssh forwards carry only control traffic, and the run's keys are gone from both hosts after.
     */
    @Test
    void aRecursiveTreeGoesByTlsFromSourceToTargetAndArrivesIntact(TwoGuests.Fixture lab) {
        LabFixture.Run run = treeGoesByItself(lab, "tls", TLS, TwoGuests.TARGET_HOST + " connects to "
                + TwoGuests.SOURCE_HOST + "'s listener at " + TwoGuests.SOURCE_IP + " (TLS, both ends authenticated)",
                "streams go by tls via " + TwoGuests.SOURCE_IP);
        assertThat(run.stderr()).contains("OPENSSL-LISTEN:").contains("verify=1");
        String leftovers = "ls -d /tmp/zfs-sync-tls.* 2>/dev/null; pgrep -a socat; true";
        assertThat(lab.sourceSh(leftovers)).as("no keys or listener left on the source").isBlank();
        assertThat(lab.targetSh(leftovers)).as("no keys or connector left on the target").isBlank();
    }

    /**
     * The source's listener killed in the guest when it has carried 40 % of the stream: the run
     * retries over a new connection, resumes from the target's token and arrives intact.
     */
    @Test
    void aCutTlsStreamResumesFromTheToken(TwoGuests.Fixture lab) throws Exception {
        String data = lab.sourcePool() + "/tlscut";
        lab.sourceSh("zfs create " + data);
        lab.source().writeRandom(data, "f", 32);
        CompletableFuture<String> killer = CompletableFuture.supplyAsync(() -> killAt(lab, "^socat -lf ", 13 * MIB,
                "9"));
        LabFixture.Run run = lab.zfsSync("sync", with(TLS, "--json", FAST_RETRY, "--compress=none",
                "--mbuffer-size=2M", lab.src("tlscut"), lab.dst("tlscut")));
        String killed = killer.get();
        assertThat(killed).as("the fault was injected").startsWith("killed");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode result = run.json().get("datasets").get(0);
        System.out.printf("[lab figures] tls cut: %s; %d retries; %d bytes counted in all%n", killed,
                result.get("retries").asInt(), result.get("bytes").asLong());
        assertThat(result.get("retries").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(run.stderr()).contains("from its receive_resume_token");
        assertThat(lab.targetChecksum(lab.targetPool() + "/tlscut")).isEqualTo(
                lab.source().checksumOfNewestSnapshot(data));
    }

    /**
     * A stage failing on either end of a tls stream is named with its host and what it said: the
     * target's receive over quota, and the source's zfs send ended by a signal mid-stream.
     */
    @Test
    void aTlsStageFailingOnEitherHostIsNamedWithItsHostAndStderr(TwoGuests.Fixture lab) throws Exception {
        String data = lab.sourcePool() + "/tq";
        lab.sourceSh("zfs create " + data);
        lab.source().writeRandom(data, "f", 16);
        lab.targetSh("zfs create -o quota=4M " + lab.targetPool() + "/small");
        LabFixture.Run quota = lab.zfsSync("sync", with(TLS, "--json", FAST_RETRY, "--compress=none", lab.src("tq"),
                lab.dst("small/tq")));
        assertThat(quota.exitCode()).as(quota.toString()).isEqualTo(1);
        String onTarget = quota.json().get("datasets").get(0).get("message").asText();
        System.out.println("[lab figures] over quota, tls: " + onTarget);
        assertThat(onTarget).contains("`zfs receive").contains("on " + TwoGuests.TARGET_HOST + " failed")
                .containsAnyOf("quota", "space");

        CompletableFuture<String> killer = CompletableFuture.supplyAsync(() -> killWhen(lab, "^socat -lf ", 4 * MIB,
                "^zfs send -v -P", "TERM"));
        // The cap keeps mbuffers on both ends (TransferSettings.streamBufferBytes); at their default 32M
        // the source's would take all 16 MiB from zfs send before the kill. Small buffers keep it sending.
        LabFixture.Run cut = lab.zfsSync("sync", with(TLS, "--json", "--retries=0", "--compress=none",
                "--bwlimit=2M", "--mbuffer-size=1M", lab.src("tq"), lab.dst("tq")));
        assertThat(killer.get()).as("the fault was injected").startsWith("killed");
        assertThat(cut.exitCode()).as(cut.toString()).isEqualTo(1);
        String onSource = cut.json().get("datasets").get(0).get("message").asText();
        System.out.println("[lab figures] zfs send ended on the source, tls: " + onSource);
        assertThat(onSource).contains("`zfs send -v -P").contains("on " + TwoGuests.SOURCE_HOST + " failed");
    }

    /**
     * {@code --bwlimit 1M} over each direct transport: what leaves the source for the target (the
     * reads of the source's ssh to the target, or of its TLS listener, right after the limiter)
     * flows at 1 MiB/s within 5 % in the steady part of the stream (the guest's own clock and
     * read counter, sampled twice a second; the first 6 MiB and all past 18 MiB left out: between
     * the source's reads and the limiter on the target sit ssh's channel window and both hosts'
     * socket buffers, a few MiB that fill at full speed first, more or less of them as the
     * machine is loaded).
     */
    @Test
    void theBandwidthLimitHoldsWithinFivePercentOnEachDirectTransport(TwoGuests.Fixture lab) throws Exception {
        String data = lab.sourcePool() + "/bw";
        lab.sourceSh("zfs create " + data);
        lab.source().writeRandom(data, "f", 20);
        long limit = MIB;
        String[][] transports = {DIRECT, TLS};
        String[] carriers = {"^ssh -o BatchMode=yes -o ForwardAgent=no " + TwoGuests.PEER + " ", "^socat -lf "};
        for (int i = 0; i < transports.length; i++) {
            String[] transport = transports[i];
            String carrier = carriers[i];
            CompletableFuture<String> samples = CompletableFuture.supplyAsync(() -> sampleReads(lab, carrier));
            LabFixture.Run run = lab.zfsSync("sync", with(transport, "--json", "--compress=none", "--bwlimit=1M",
                    lab.src("bw"), lab.dst("bw-" + transport[1])));
            assertThat(run.exitCode()).as(run.toString()).isZero();
            double rate = steadyRate(samples.get(), 6 * MIB, 18 * MIB);
            System.out.printf("[lab figures] --bwlimit 1M over %s: %.0f B/s left the source (%.3f of the limit)%n",
                    transport[1], rate, rate / limit);
            assertThat(rate / limit).as(transport[1] + ": rate over the limit").isBetween(0.95, 1.05);
        }
    }

    /**
     * In the source guest: the read count of the first process matching {@code pattern} that
     * reads over 1 MiB (checks before the stream read a few bytes), as "uptime bytes" lines twice
     * a second while it runs; shell built-ins only, so that a busy guest keeps the pace.
     */
    private static String sampleReads(TwoGuests.Fixture lab, String pattern) {
        String script = "for n in $(seq 1200); do p=$(pgrep -f '" + pattern + "' | head -1); if [ -n \"$p\" ]; then "
                + "r=0; while [ -r /proc/$p/io ]; do while read k v; do [ \"$k\" = rchar: ] && r=$v; done "
                + "< /proc/$p/io; read up rest < /proc/uptime; echo \"$up $r\"; sleep 0.5; done; "
                + "[ \"$r\" -gt 1048576 ] && exit 0; fi; sleep 0.1; done; exit 1";
        return lab.source().shResult(script).stdout();
    }

    /** Bytes per second between the first sample past {@code from} bytes and the last below {@code to}. */
    private static double steadyRate(String samples, long from, long to) {
        double t0 = -1;
        double t1 = -1;
        long b0 = 0;
        long b1 = 0;
        for (String line : samples.strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 2) {
                continue;
            }
            double t = Double.parseDouble(f[0]);
            long b = Long.parseLong(f[1]);
            if (t0 < 0 && b >= from) {
                t0 = t;
                b0 = b;
            } else if (t0 >= 0 && b <= to) {
                t1 = t;
                b1 = b;
            }
        }
        assertThat(t1).as("samples of the stream's steady part: " + samples).isGreaterThan(t0 + 4);
        return (b1 - b0) / (t1 - t0);
    }

    /**
     * Each link that cannot work is exit 3 naming what failed, before anything changes: the
     * source's certificate signed by another CA than the one the target trusts; a listen address
     * where the target finds a closed port (the source's user-mode card, which is the target's own
     * address there); and an address the target has no way to.
     */
    @Test
    void aWrongCertificateAClosedPortAndAnUnreachableListenerAreExit3AndChangeNothing(TwoGuests.Fixture lab) {
        String data = lab.sourcePool() + "/never";
        lab.sourceSh("zfs create " + data);
        lab.source().writeRandom(data, "f", 1);
        // Two CAs; each host's certificate and key at the same paths; the source's signed by the CA nobody trusts.
        String req = "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
        lab.sourceSh("set -e; mkdir -p /etc/zs && cd /etc/zs && for ca in good other; do " + req + " -x509 -days 2 "
                + "-subj /CN=$ca -keyout $ca.key -out $ca.pem 2>/dev/null; done; "
                + req + " -subj /CN=" + TwoGuests.SOURCE_IP + " -keyout host.key -out src.csr 2>/dev/null; "
                + "openssl x509 -req -in src.csr -CA other.pem -CAkey other.key -CAcreateserial -days 2 -out host.pem "
                + "2>/dev/null; " + req + " -subj /CN=target -keyout dst.key -out dst.csr 2>/dev/null; "
                + "openssl x509 -req -in dst.csr -CA good.pem -CAkey good.key -CAcreateserial -days 2 -out dst.pem "
                + "2>/dev/null; ssh -o BatchMode=yes " + TwoGuests.PEER + " mkdir -p /etc/zs; "
                + "scp -q good.pem " + TwoGuests.PEER + ":/etc/zs/good.pem; scp -q dst.pem " + TwoGuests.PEER
                + ":/etc/zs/host.pem; scp -q dst.key " + TwoGuests.PEER + ":/etc/zs/host.key");
        lab.sourceSh("ip addr add 10.88.0.1/32 dev lo");
        String snapshotsBefore = lab.sourceSh("zfs list -H -t snapshot -o name -r " + data);
        String[][] cases = {
            {"--tls-listen", TwoGuests.SOURCE_IP, "--tls-ca", "/etc/zs/good.pem", "--tls-cert", "/etc/zs/host.pem",
                "--tls-key", "/etc/zs/host.key"},
            {"--tls-listen", "10.0.2.15"},
            {"--tls-listen", "10.88.0.1"},
        };
        String[] expected = {"certificate", "Connection refused", "10.88.0.1"};
        for (int i = 0; i < cases.length; i++) {
            String[] argv = with(with(new String[] {"--transport", "tls"}, cases[i]), "--json", lab.src("never"),
                    lab.dst("never"));
            LabFixture.Run run = lab.zfsSync("sync", argv);
            String said = run.stderr().strip();
            System.out.println("[lab figures] tls refused (" + cases[i][1] + "): "
                    + said.substring(said.lastIndexOf('\n') + 1));
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
            assertThat(run.stderr()).contains(TwoGuests.TARGET_HOST + " cannot open the tls link to "
                    + TwoGuests.SOURCE_HOST).contains(expected[i]);
        }
        assertThat(lab.sourceSh("zfs list -H -t snapshot -o name -r " + data)).as("no snapshot taken")
                .isEqualTo(snapshotsBefore);
        assertThat(lab.targetExec("zfs list " + lab.targetPool() + "/never", java.time.Duration.ofMinutes(1))
                .exitCode()).as("nothing received").isNotZero();
        String leftovers = "ls -d /tmp/zfs-sync-tls.* 2>/dev/null; pgrep -a socat; true";
        assertThat(lab.sourceSh(leftovers)).isBlank();
        assertThat(lab.targetSh(leftovers)).isBlank();
    }

    /** In the source guest: waits for a process matching {@code pattern} to have read {@code offset} bytes, then signals it. */
    private static String killAt(TwoGuests.Fixture lab, String pattern, long offset, String signal) {
        return killWhen(lab, pattern, offset, pattern, signal);
    }

    /**
     * In the source guest: waits for a process matching {@code measured} to have read {@code offset}
     * bytes (its read(2) count: a pv moves data by splice(2), which that count misses), then signals
     * the process matching {@code victim}.
     */
    private static String killWhen(TwoGuests.Fixture lab, String measured, long offset, String victim, String signal) {
        String script = "for i in $(seq 3000); do p=$(pgrep -f '" + measured + "' | head -1);"
                + " if [ -n \"$p\" ]; then r=$(awk '/^rchar/ {print $2}' /proc/$p/io 2>/dev/null);"
                + " if [ \"${r:-0}\" -ge " + offset + " ]; then v=$(pgrep -f '" + victim + "' | head -1);"
                + " kill -" + signal + " $v; echo killed $v at $r; exit 0; fi;"
                + " fi; sleep 0.1; done; echo never saw " + measured + "; exit 1";
        return lab.source().shResult(script).stdout().strip();
    }

    /** In the source guest: waits for the ssh to the target to have read {@code offset} bytes, then kills it. */
    private static String killDirectSshAt(TwoGuests.Fixture lab, long offset) {
        return killAt(lab, "^ssh -o BatchMode=yes -o ForwardAgent=no " + TwoGuests.PEER + " ", offset, "9");
    }
}
