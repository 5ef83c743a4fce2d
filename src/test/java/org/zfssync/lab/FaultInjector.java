package org.zfssync.lab;

import java.util.List;
import java.util.Random;
import org.zfssync.host.ShellQuote;

/**
 * Cuts a running sync at one stage of its data path: a process in the guest ({@code zfs send},
 * {@code zfs receive}, {@code mbuffer}) killed with SIGKILL, a host-side ssh carrying one half of
 * a stream killed, or zfs-sync itself sent SIGKILL or SIGTERM. Only processes of this lab are
 * touched: guest processes of the fixture's pools, host processes descending from the run.
 */
final class FaultInjector {
    /** Where a stream is cut. */
    enum Stage {
        GUEST_SEND("zfs send in the guest (kill -9)"),
        GUEST_RECEIVE("zfs receive in the guest (kill -9)"),
        HOST_SSH_SEND("host ssh carrying the send (kill -9)"),
        HOST_SSH_RECEIVE("host ssh carrying the receive (kill -9)"),
        GUEST_MBUFFER("mbuffer in the guest (kill -9)"),
        ZFS_SYNC_KILL("zfs-sync itself (SIGKILL)"),
        ZFS_SYNC_TERM("zfs-sync itself (SIGTERM)");

        private final String label;

        Stage(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    /** What an injection did: {@code injected} false when there was nothing left to cut. */
    record Outcome(boolean injected, String detail) {
    }

    private static final int ATTEMPTS = 50;

    private FaultInjector() {
    }

    /**
     * Cuts {@code run} at {@code stage} now. Guest and ssh stages pick one of the matching
     * processes with {@code random} (several run at once with parallel workers); when none runs
     * at this instant (between two streams, or in a retry's wait) it tries again for about 5 s.
     */
    static Outcome inject(LabFixture lab, LabFixture.Background run, Stage stage, Random random) {
        return switch (stage) {
            case ZFS_SYNC_KILL -> signal(run, true);
            case ZFS_SYNC_TERM -> signal(run, false);
            case HOST_SSH_SEND -> hostSsh(run, "zfs send", random);
            case HOST_SSH_RECEIVE -> hostSsh(run, "zfs receive", random);
            case GUEST_SEND -> guest(lab, run, "^zfs send .*", lab.sourcePool(), random);
            case GUEST_RECEIVE -> guest(lab, run, "^zfs receive .*", lab.targetPool(), random);
            case GUEST_MBUFFER -> guest(lab, run, "^mbuffer ", null, random);
        };
    }

    private static Outcome signal(LabFixture.Background run, boolean kill) {
        if (!run.isAlive()) {
            return new Outcome(false, "zfs-sync had already exited");
        }
        if (kill) {
            run.kill();
        } else {
            run.term();
        }
        return new Outcome(true, (kill ? "SIGKILL" : "SIGTERM") + " to zfs-sync " + run.pid());
    }

    private static Outcome hostSsh(LabFixture.Background run, String what, Random random) {
        int pick = random.nextInt(1000);
        for (int i = 0; i < ATTEMPTS * 2 && run.isAlive(); i++) {
            List<ProcessHandle> candidates = FaultMeter.streams(run, what);
            if (!candidates.isEmpty()) {
                ProcessHandle victim = candidates.get(pick % candidates.size());
                victim.destroyForcibly();
                return new Outcome(true, "killed host ssh " + victim.pid() + " carrying " + what + " (1 of "
                        + candidates.size() + ")");
            }
            LabFixture.sleep(50);
        }
        return new Outcome(false, "no host ssh carrying " + what + " ran");
    }

    /**
     * Kills one guest process whose command line matches {@code pattern} (and, if given, names
     * {@code pool}); size estimates ({@code -n}) and {@code receive -A} are left alone.
     */
    private static Outcome guest(LabFixture lab, LabFixture.Background run, String pattern, String pool,
            Random random) {
        int pick = random.nextInt(1000);
        String filter = pool == null ? "" : " | grep -F -e " + ShellQuote.quote(" " + pool + "/") + " -e "
                + ShellQuote.quote(" " + pool + "@") + " -e ' -t '";
        // A process may end between pgrep and kill (a stream that just finished): then look again.
        String script = "for i in $(seq " + ATTEMPTS + "); do"
                + " set -- $(pgrep -af " + ShellQuote.quote(pattern) + " | grep -v -e ' -n ' -e ' -nP ' -e ' -A '" + filter
                + " | cut -d' ' -f1);"
                + " if [ $# -gt 0 ]; then k=$(( " + pick + " % $# + 1 )); eval p=\\${$k};"
                + " c=$( { tr '\\0' ' ' < /proc/$p/cmdline; } 2>/dev/null | cut -c1-60);"
                + " if kill -9 \"$p\" 2>/dev/null; then echo \"killed $c(pid $p, 1 of $#)\"; exit 0; fi; fi;"
                + " sleep 0.1; done; echo none; exit 3";
        if (!run.isAlive()) {
            return new Outcome(false, "zfs-sync had already exited");
        }
        LabGuest.LabResult r = lab.shResult(script);
        String said = r.stdout().strip();
        return new Outcome(r.exitCode() == 0 && said.startsWith("killed"), said.isEmpty() ? r.stderr().strip() : said);
    }

}
