package org.zfssync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.zfssync.replication.SnapshotNaming;
import org.zfssync.testing.States;
import org.zfssync.verify.Comparison;
import org.zfssync.verify.DeepResult;
import org.zfssync.verify.Verdict;
import org.zfssync.verify.VerifyReport;

class VerifyCommandTest {
    @Test
    void theTextNamesTheNewestCommonSnapshotWhatTheTargetLacksEachDifferenceAndTheResult() {
        VerifyReport compared = new Comparison(new SnapshotNaming("zfs-sync", "t1", SnapshotNaming.DEFAULT_TEMPLATE))
                .compare("src:tank/a", "nas:pool/a", States.under("tank/a").fs("tank/a").snap("tank/a", "s1", 1)
                        .snap("tank/a", "s2", 2).build(), States.under("pool/a").fs("pool/a").snap("pool/a", "s1", 1)
                        .build(), false, Map.of());
        Verdict v = compared.datasets().get(0).withDeep(new DeepResult("files of @s1", false, "a".repeat(64),
                "b".repeat(64), List.of("dir/f: content differs (source vs target)"), null));
        VerifyReport report = new VerifyReport("src:tank/a", "nas:pool/a", true, List.of(v), List.of());
        List<String> lines = VerifyCommand.lines(report);
        assertThat(lines).contains("verify src:tank/a -> nas:pool/a (deep)", "tank/a -> pool/a (filesystem): different",
                "  target lacks: @s2", "  lag: 10s (newest source snapshot vs newest common)",
                "  DIFFERENT: content: dir/f: content differs (source vs target)",
                "result: different (0 equal, 1 different, 0 not fully checked, of 1 dataset(s))");
        assertThat(lines).anyMatch(l -> l.startsWith("  newest common: @s1 of ") && l.contains("guid 0000000000000001"));
        assertThat(lines).anyMatch(l -> l.equals("  content: files of @s1: different (sha256 aaaaaaaaaaaaaaaa… / "
                + "bbbbbbbbbbbbbbbb…)"));
        Map<String, Object> json = VerifyCommand.jsonOf(report);
        assertThat(json).containsEntry("result", "different").containsEntry("exitCode", 1);
    }

    @Test
    void aMissingArgumentIsAUsageError() {
        assertThat(CliTest.run("verify", "tank/a").exit()).isEqualTo(ExitCodes.USAGE);
    }
}
