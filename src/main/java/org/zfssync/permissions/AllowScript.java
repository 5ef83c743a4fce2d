package org.zfssync.permissions;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.zfssync.host.ShellQuote;

/**
 * The text {@code zfs-sync allow} prints: per side a comment saying where and for whom, the
 * {@code zfs allow} command to run there as root (quoted as the host layer would run it), what
 * each permission is for, and for each remote side the {@code authorized_keys} line that limits
 * the key to this machine. Pure, so the exact output is tested.
 */
public final class AllowScript {
    /** How a side on the machine zfs-sync runs on is named: it needs no ssh key. */
    public static final String THIS_MACHINE = "this machine";

    private AllowScript() {
    }

    /**
     * @param from      the {@code from=} pattern: the addresses ssh sees this machine connect from
     * @param publicKey the key line zfs-sync logs in with, when known
     */
    public static List<String> lines(List<SideGrant> sides, String from, Optional<String> publicKey) {
        List<String> out = new ArrayList<>();
        for (SideGrant side : sides) {
            String head = "# " + side.role() + ": " + side.dataset() + " on " + side.where() + ", user " + side.user();
            if (side.root()) {
                out.add(head + ": root needs no delegation (another user would need " + side.needs().names() + ")");
                continue;
            }
            out.add(head + (side.grantOn().equals(side.dataset()) ? "; as root there:"
                    : "; on " + side.grantOn() + ", where the first sync creates it; as root there:"));
            out.add(ShellQuote.join(side.command().argv()));
            int width = side.needs().needs().stream().mapToInt(n -> n.permission().length()).max().orElse(0);
            side.needs().needs().forEach(n -> out.add(String.format("#   %-" + width + "s  %s", n.permission(), n.reason())));
            if (side.needs().needs().stream().anyMatch(n -> n.permission().equals("userprop"))
                    && side.role().equals("target")) {
                out.add("#   (-p: add each native property the source sets locally, see zfs get -s local all)");
            }
        }
        java.util.Set<String> keyed = new java.util.HashSet<>();
        for (SideGrant side : sides) {
            if (!side.where().equals(THIS_MACHINE) && keyed.add(side.where() + "\0" + side.user())) {
                out.add("# " + side.where() + ": one line in ~" + side.user()
                        + "/.ssh/authorized_keys (restrict: no forwarding, no pty)");
                out.add(authorizedKey(from, publicKey));
            }
        }
        return out;
    }

    /** {@code restrict,from="…" KEY}: the key works only from these addresses, for commands only. */
    static String authorizedKey(String from, Optional<String> publicKey) {
        return "restrict,from=\"" + from + "\" " + publicKey.orElse("ssh-ed25519 AAAA... zfs-sync");
    }
}
