package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A fault campaign on real OpenZFS: a tree of three datasets, written to between trials (with user
 * snapshots, so streams carry intermediates) while a "snapshot tool" in the guest takes
 * {@code @autosnap_N} of the tree and destroys its older ones, as sanoid would. Each trial starts a
 * sync in the background and cuts it at a random offset at a random stage (a guest process, a
 * host-side ssh, zfs-sync itself); the next plain run must exit 0 and leave both sides converged:
 * identical data, a snapshot in common (by GUID) for every dataset, and no hold, ssh master or
 * control directory left. The seed is printed; {@code -Dzfs.lab.campaign.seed=N} repeats a campaign.
 */
@ZfsLab
@org.junit.jupiter.api.Tag("campaign")
class FaultCampaignLabTest {
    private static final long DEFAULT_SEED = 20_260_214L;
    private static final long MIB = 1024L * 1024;
    private static final List<String> DATASETS = List.of("c", "c/a", "c/b");
    private static final List<String> FLAGS = List.of("-r", "--target-id", "t1", "--compress=none",
            "--mbuffer-size=2M", "--retry-initial-delay-ms=300", "--stall-timeout=20", "--json");

    /** One dataset after a trial: its data on both sides, GUIDs in common, the size of the trial's stream. */
    private record DatasetCheck(String dataset, String sourceDigest, String targetDigest, int common, long stream) {
        boolean converged() {
            return !sourceDigest.equals("none") && sourceDigest.equals(targetDigest) && common > 0;
        }
    }

    @Test
    void syncsCutAtRandomStagesAndOffsetsAlwaysConverge(LabFixture lab) {
        long seed = Long.getLong("zfs.lab.campaign.seed", DEFAULT_SEED);
        int trials = Integer.getInteger("zfs.lab.campaign.trials", 20);
        Random random = new Random(seed);
        System.out.printf("[lab figures] campaign seed %d (repeat with -Dzfs.lab.campaign.seed=%d), %d trials%n", seed,
                seed, trials);
        String s = lab.sourcePool();
        lab.sh("zfs create " + s + "/c && zfs create " + s + "/c/a && zfs create " + s + "/c/b"
                + " && for d in c c/a c/b; do head -c 1M /dev/urandom > /" + s + "/$d/f_pre; done && zpool sync"
                + " && zfs snapshot -r " + s + "/c@autosnap_0");
        LabFixture.Run initial = lab.zfsSync("sync", args(lab, 1));
        assertThat(initial.exitCode()).as(initial.toString()).isZero();

        List<FaultInjector.Stage> stages = new ArrayList<>();
        while (stages.size() < trials) {
            List<FaultInjector.Stage> round = new ArrayList<>(List.of(FaultInjector.Stage.values()));
            Collections.shuffle(round, random);
            stages.addAll(round);
        }
        int converged = 0;
        int injected = 0;
        long resent = 0;
        long streams = 0;
        List<String> failures = new ArrayList<>();
        for (int trial = 1; trial <= trials; trial++) {
            long t0 = System.nanoTime();
            FaultInjector.Stage stage = stages.get(trial - 1);
            int workers = random.nextBoolean() ? 1 : 2;
            long written = write(lab, trial, random);
            long offset = (long) (written * (0.05 + 0.75 * random.nextDouble()));

            List<String> cutArgs = new ArrayList<>(List.of(args(lab, workers)));
            cutArgs.addAll(0, List.of("--bwlimit", "3M"));
            LabFixture.Background run = lab.start("sync", cutArgs.toArray(String[]::new));
            FaultInjector.Outcome fault;
            long movedByCutRun;
            LabFixture.Run cut;
            try (FaultMeter meter = new FaultMeter(run)) {
                fault = meter.awaitRelayed(offset, Duration.ofMinutes(3))
                        ? FaultInjector.inject(lab, run, stage, random)
                        : new FaultInjector.Outcome(false, "the run ended before " + mib(offset) + " MiB");
                cut = run.await(Duration.ofMinutes(4));
                movedByCutRun = jsonBytes(cut).orElse(meter.relayed());
            }
            injected += fault.injected() ? 1 : 0;
            String tool = snapshotTool(lab, trial);

            LabFixture.Run next = lab.zfsSync("sync", args(lab, workers));
            long nextBytes = jsonBytes(next).orElse(-1L);
            List<DatasetCheck> checks = check(lab);
            LabFixture.Leftovers left = lab.leftovers();
            long stream = checks.stream().mapToLong(DatasetCheck::stream).sum();
            long trialResent = Math.max(0, movedByCutRun + Math.max(0, nextBytes) - stream);
            boolean ok = next.exitCode() == 0 && checks.stream().allMatch(DatasetCheck::converged) && left.isEmpty();
            if (ok) {
                converged++;
                resent += trialResent;
                streams += stream;
            }
            System.out.printf(Locale.ROOT, "[lab figures] campaign trial %d/%d: %s, cut at %.1f of %.1f MiB written,"
                    + " -j %d: %s; cut run exit %s; tool: %s; next run exit %d; stream %.1f MiB, re-sent %.2f MiB;"
                    + " %.0f s; %s%n", trial, trials, stage.label(), mib(offset), mib(written), workers, fault.detail(),
                    cut.exitCode() + firstError(cut), tool, next.exitCode(), mib(stream), mib(trialResent),
                    (System.nanoTime() - t0) / 1e9, ok ? "converged" : "NOT converged");
            if (!ok) {
                String why = "trial " + trial + " (" + stage.label() + ", " + fault.detail() + "): next run exit "
                        + next.exitCode() + "; not converged: " + checks.stream().filter(c -> !c.converged()).toList()
                        + "; left behind: " + left
                        + (next.exitCode() == 0 ? "" : "\n" + next);
                System.out.println("[lab figures] campaign " + why);
                failures.add(why);
                repair(lab, next, checks);
            }
        }
        System.out.printf(Locale.ROOT, "[lab figures] campaign: trials %d, converged %d, bytes re-sent %d (%.2f%% of streams)%n",
                trials, converged, resent, streams == 0 ? 0.0 : 100.0 * resent / streams);
        assertThat(failures).as("trials that did not converge").isEmpty();
        assertThat(converged).isEqualTo(trials);
        assertThat(injected).as("trials whose fault was injected (a campaign of missed cuts proves little)")
                .isGreaterThanOrEqualTo(trials * 3 / 4);
    }

    private static String[] args(LabFixture lab, int workers) {
        List<String> a = new ArrayList<>(FLAGS);
        a.addAll(List.of("-j", Integer.toString(workers), lab.src("c"), lab.dst("c")));
        return a.toArray(String[]::new);
    }

    /**
     * Writes 4–8 MiB of random data over the tree: a file per dataset, the user snapshot
     * {@code @user_N} of the tree, then (for some datasets) a second file, so some datasets change
     * after their newest snapshot (the sync takes its own) and some do not. Before that, bookmarks
     * {@code #fcbase} mark each dataset's state on the target, to measure the trial's streams later.
     * Returns the bytes written.
     */
    private static long write(LabFixture lab, int trial, Random random) {
        String s = lab.sourcePool();
        String t = lab.targetPool();
        long total = (4 + random.nextInt(5)) * 1024L;
        int[] weights = new int[6];
        int sum = 0;
        for (int i = 0; i < 6; i++) {
            weights[i] = i % 2 == 0 ? 1 + random.nextInt(10) : random.nextInt(10);
            sum += weights[i];
        }
        StringBuilder script = new StringBuilder("set -e; ");
        for (String d : DATASETS) {
            script.append("n=$(zfs list -H -t snapshot -o name -s createtxg -d 1 ").append(t).append('/').append(d)
                    .append(" | tail -1 | cut -d@ -f2); zfs destroy ").append(s).append('/').append(d)
                    .append("#fcbase 2>/dev/null || true; zfs bookmark ").append(s).append('/').append(d).append("@$n ")
                    .append(s).append('/').append(d).append("#fcbase || true; ");
        }
        long written = 0;
        StringBuilder post = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            long pre = Math.max(64, total * weights[2 * i] / sum);
            long after = total * weights[2 * i + 1] / sum;
            String dir = "/" + s + "/" + DATASETS.get(i);
            script.append("head -c ").append(pre).append("K /dev/urandom > ").append(dir).append("/f_pre; ");
            if (after > 0) {
                post.append("head -c ").append(after).append("K /dev/urandom > ").append(dir).append("/f_post; ");
            }
            written += (pre + after) * 1024;
        }
        script.append("zpool sync; zfs snapshot -r ").append(s).append("/c@user_").append(trial).append("; ")
                .append(post).append("zpool sync");
        lab.sh(script.toString());
        return written;
    }

    /** The snapshot tool: takes {@code @autosnap_N} of the tree and destroys its older ones (held ones stay). */
    private static String snapshotTool(LabFixture lab, int trial) {
        String root = lab.sourcePool() + "/c";
        String out = lab.sh("zfs snapshot -r " + root + "@autosnap_" + trial + "; destroyed=0; kept=0;"
                + " for d in $(zfs list -H -o name -r " + root + "); do"
                + " for x in $(zfs list -H -t snapshot -o name -s createtxg -d 1 $d | grep '@autosnap_' | head -n -1); do"
                + " if zfs destroy $x 2>/dev/null; then destroyed=$((destroyed+1)); else kept=$((kept+1)); fi; done; done;"
                + " echo \"took @autosnap_" + trial + ", destroyed $destroyed older, $kept busy or held\"");
        return out.strip();
    }

    /** Every dataset's data on both sides, GUIDs in common, and the size of the trial's stream; one round trip. */
    private static List<DatasetCheck> check(LabFixture lab) {
        String s = lab.sourcePool();
        String t = lab.targetPool();
        String digest = "find . -xdev -type f | LC_ALL=C sort | xargs -r -d '\\n' sha256sum | sha256sum | cut -c1-64";
        String out = lab.sh("for x in " + String.join(" ", DATASETS) + "; do s=" + s + "/$x; d=" + t + "/$x;"
                + " sn=$(zfs list -H -t snapshot -o name -s createtxg -d 1 $s | tail -1);"
                + " sm=$(zfs get -H -o value mountpoint $s); dm=$(zfs get -H -o value mountpoint $d 2>/dev/null);"
                + " sd=$(cd \"$sm/.zfs/snapshot/${sn#*@}\" && " + digest + ");"
                + " dd=$( [ -n \"$dm\" ] && cd \"$dm\" && " + digest + ");"
                + " common=$( { zfs list -H -p -t snapshot -o guid -d 1 $s; zfs list -H -p -t snapshot -o guid -d 1 $d 2>/dev/null; }"
                + " | sort | uniq -d | wc -l);"
                + " est=0; if zfs list -H -t bookmark \"$s#fcbase\" >/dev/null 2>&1; then"
                + " est=$(zfs send -nP -i \"$s#fcbase\" \"$sn\" 2>/dev/null | awk '$1 == \"size\" {print $2}');"
                + " zfs destroy \"$s#fcbase\"; fi;"
                + " echo \"$x ${sd:-none} ${dd:-none} $common ${est:-0}\"; done");
        List<DatasetCheck> checks = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            checks.add(new DatasetCheck(f[0], f[1], f[2], Integer.parseInt(f[3]), Long.parseLong(f[4])));
        }
        return checks;
    }

    /**
     * After a trial that did not converge (recorded as a failure): removes what was left behind and,
     * when the data did not arrive, forces the target back in line, so the next trials still test
     * something of their own.
     */
    private static void repair(LabFixture lab, LabFixture.Run next, List<DatasetCheck> checks) {
        lab.cleanUpLeftovers();
        if (next.exitCode() != 0 || !checks.stream().allMatch(DatasetCheck::converged)) {
            List<String> a = new ArrayList<>(List.of(args(lab, 2)));
            a.addAll(0, List.of("--rollback", "--force-overwrite"));
            LabFixture.Run forced = lab.zfsSync("sync", a.toArray(String[]::new));
            assertThat(forced.exitCode()).as("repairing the target after a failed trial; campaign stopped\n%s", forced)
                    .isZero();
            lab.cleanUpLeftovers();
        }
    }

    private static java.util.Optional<Long> jsonBytes(LabFixture.Run run) {
        try {
            JsonNode datasets = run.json().get("datasets");
            if (datasets == null) {
                return java.util.Optional.empty();
            }
            long sum = 0;
            for (JsonNode d : datasets) {
                sum += d.path("bytes").asLong();
            }
            return java.util.Optional.of(sum);
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** The first error a run logged, for a cut run that failed by itself (not by a signal). */
    private static String firstError(LabFixture.Run run) {
        if (run.exitCode() == 0 || run.exitCode() == 137 || run.exitCode() == 143) {
            return "";
        }
        return run.stderr().lines().filter(l -> l.contains("ERROR")).findFirst()
                .map(l -> " (" + (l.length() > 240 ? l.substring(0, 240) + "..." : l).strip() + ")").orElse("");
    }

    private static double mib(long bytes) {
        return bytes / (double) MIB;
    }
}
