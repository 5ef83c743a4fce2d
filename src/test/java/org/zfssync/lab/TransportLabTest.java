package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code --transport ssh-direct} between two real hosts (two guests on a private link): the
 * stream goes from the source to the target by itself, this machine keeps only control traffic,
 * a stage failing on the target is named with its host and stderr, and a cut stream resumes
 * from the target's token.
 */
@TwoGuestLab
@Tag("twoguests")
class TransportLabTest {
    private static final long MIB = 1024 * 1024;
    private static final String FAST_RETRY = "--retry-initial-delay-ms=300";
    private static final String[] DIRECT = {"--transport", "ssh-direct", "--direct-target-address", TwoGuests.PEER};

    private static String[] args(String... more) {
        String[] all = new String[DIRECT.length + more.length];
        System.arraycopy(DIRECT, 0, all, 0, DIRECT.length);
        System.arraycopy(more, 0, all, DIRECT.length, more.length);
        return all;
    }

    /**
     * 64 MiB in a tree of two datasets: checked reachable first, then sent directly; the private
     * link carries the data, the guests' ssh-forward cards (all that this machine's ssh uses)
     * move under 5 MiB between them, and both datasets arrive intact.
     */
    @Test
    void aRecursiveTreeGoesStraightFromSourceToTargetAndArrivesIntact(TwoGuests.Fixture lab) {
        String data = lab.sourcePool() + "/data";
        lab.sourceSh("zfs create " + data + " && zfs create " + data + "/child");
        lab.source().writeRandom(data, "big", 48);
        lab.source().writeRandom(data + "/child", "small", 16);

        LabFixture.Run check = lab.zfsSync("check", args(lab.src("data"), lab.dst("data")));
        assertThat(check.exitCode()).as(check.toString()).isZero();
        assertThat(check.stdout()).contains(TwoGuests.SOURCE_HOST + " reaches " + TwoGuests.PEER);

        long forwardBefore = lab.sourceBytes(TwoGuests.FORWARD) + lab.targetBytes(TwoGuests.FORWARD);
        long linkBefore = lab.targetReceived(TwoGuests.LINK);
        LabFixture.Run run = lab.zfsSync("sync", args("-r", "--json", lab.src("data"), lab.dst("data")));
        long forward = lab.sourceBytes(TwoGuests.FORWARD) + lab.targetBytes(TwoGuests.FORWARD) - forwardBefore;
        long link = lab.targetReceived(TwoGuests.LINK) - linkBefore;
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).contains("streams go by ssh-direct");
        long counted = 0;
        for (JsonNode d : run.json().get("datasets")) {
            counted += d.get("bytes").asLong();
        }
        System.out.printf("[lab figures] ssh-direct, 64 MiB tree: private link %d bytes in, controller's ssh forwards "
                + "%d bytes both ways, zfs-sync counted %d bytes%n", link, forward, counted);
        assertThat(link).as("the data crossed the private link").isGreaterThan(64 * MIB);
        assertThat(forward).as("only control traffic through this machine's ssh").isLessThan(5 * MIB);
        assertThat(counted).as("the source-side counter saw the stream").isGreaterThan(60 * MIB);
        String target = lab.targetPool() + "/data";
        assertThat(lab.targetChecksum(target)).isEqualTo(lab.source().checksumOfNewestSnapshot(data));
        assertThat(lab.targetChecksum(target + "/child")).isEqualTo(lab.source().checksumOfNewestSnapshot(
                data + "/child"));
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

    /** In the source guest: waits for the ssh to the target to have read {@code offset} bytes, then kills it. */
    private static String killDirectSshAt(TwoGuests.Fixture lab, long offset) {
        String script = "for i in $(seq 3000); do p=$(pgrep -f '^ssh -o BatchMode=yes -o ForwardAgent=no "
                + TwoGuests.PEER + " ' | head -1);"
                + " if [ -n \"$p\" ]; then r=$(awk '/^rchar/ {print $2}' /proc/$p/io 2>/dev/null);"
                + " if [ \"${r:-0}\" -ge " + offset + " ]; then kill -9 $p; echo killed the direct ssh at $r; exit 0; fi;"
                + " fi; sleep 0.1; done; echo never saw the direct ssh; exit 1";
        return lab.source().shResult(script).stdout().strip();
    }
}
