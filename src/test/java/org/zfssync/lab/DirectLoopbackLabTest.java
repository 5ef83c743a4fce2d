package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.zfssync.host.ShellQuote;

/**
 * The direct transports' data path on the one-guest lab, on every OpenZFS of the suite (the
 * two-guest {@code TransportLabTest} proves the topology, on demand): the source reaches "the
 * target" over the guest's own loopback, as {@code zfslab-peer} for ssh-direct and at 127.0.0.1
 * for tls. The stream is counted by {@code zfs send -v -P} itself, with no pv and no mbuffer in
 * the pipe unless asked for; what arrives is checked by content.
 */
@ZfsLab
@Tag("smoke")
class DirectLoopbackLabTest {
    private static final String PEER = "zfslab-peer";
    private static final long MIB = 1 << 20;

    @Test
    void bothDirectTransportsCarryAFullAndAnIncrementalCountedByZfsSend(LabFixture lab) {
        // ssh-direct first: its second round, with buffers asked for, adds a file the tls round then carries.
        peerAlias(lab);
        String data = lab.sourcePool() + "/d";
        lab.sh("zfs create " + data);
        lab.writeRandom(data, "first", 6);
        lab.sh("zfs snapshot " + data + "@a");
        lab.writeRandom(data, "second", 2);
        lab.sh("zfs snapshot " + data + "@b");
        String[][] transports = {{"--transport", "ssh-direct", "--direct-target-address", PEER},
            {"--transport", "tls", "--tls-listen", "127.0.0.1"}};
        for (String[] transport : transports) {
            String name = transport[1];
            LabFixture.Run plan = lab.zfsSync("sync", args(transport, "--dry-run", lab.src("d"), lab.dst(name)));
            assertThat(plan.exitCode()).as(plan.toString()).isZero();
            assertThat(plan.stdout()).as(name + ": zfs send counts the stream").contains("zfs send -v -P")
                    .doesNotContain("pv -n").as(name + ": no buffer unless asked").doesNotContain("mbuffer");

            LabFixture.Run run = lab.zfsSync("sync", args(transport, "--json", lab.src("d"), lab.dst(name)));
            assertThat(run.exitCode()).as(run.toString()).isZero();
            JsonNode d = run.json().get("datasets").get(0);
            System.out.printf("[lab figures] %s over the guest's loopback: 8 or 9 MiB in two snapshots and the sync "
                    + "snapshot, zfs send counted %d bytes%n", name, d.get("bytes").asLong());
            // 8 MiB written; each snapshot counts at least at the size zfs send announced (a little under its stream).
            assertThat(d.get("bytes").asLong()).as(name + ": the count covers the stream").isGreaterThan(15 * MIB / 2);
            String target = lab.targetPool() + "/" + name;
            assertThat(lab.snapshots(target)).contains("a", "b");
            assertThat(lab.checksum(target)).isEqualTo(lab.checksumOfNewestSnapshot(data));

            if (!name.equals("ssh-direct")) {
                continue;
            }
            // Buffers when asked, once (the two transports build the stream's stages alike).
            lab.writeRandom(data, "third", 1);
            LabFixture.Run again = lab.zfsSync("sync", args(transport, "--json", "-v", "--mbuffer-size", "2M",
                    lab.src("d"), lab.dst(name)));
            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(again.stderr()).as(name + ": a buffer when asked").contains("mbuffer -q -s 128k -m 2048k");
            assertThat(again.json().get("datasets").get(0).get("bytes").asLong()).isGreaterThan(MIB);
            assertThat(lab.checksum(target)).isEqualTo(lab.checksumOfNewestSnapshot(data));
        }
    }

    private static String[] args(String[] transport, String... rest) {
        List<String> all = new ArrayList<>(List.of(transport));
        all.addAll(List.of(rest));
        return all.toArray(new String[0]);
    }

    /** The guest reaches itself over ssh as {@value #PEER}: the lab's key and host key, root's ssh config. */
    private static void peerAlias(LabFixture lab) {
        LabGuest guest = lab.guest();
        guest.copyIn(guest.imageDir().resolve("id_ed25519"), "/root/.ssh/zfslab_peer_key");
        guest.copyIn(guest.imageDir().resolve("known_hosts"), "/root/.ssh/zfslab_known_hosts");
        lab.sh("chmod 600 /root/.ssh/zfslab_peer_key && { grep -q '^Host " + PEER + "$' /root/.ssh/config 2>/dev/null"
                + " || printf '%s' " + ShellQuote.quote("Host " + PEER + "\n  HostName 127.0.0.1\n  User root\n"
                + "  IdentityFile /root/.ssh/zfslab_peer_key\n  IdentitiesOnly yes\n"
                + "  UserKnownHostsFile /root/.ssh/zfslab_known_hosts\n  HostKeyAlias zfs-sync-lab\n")
                + " >> /root/.ssh/config; }");
    }
}
