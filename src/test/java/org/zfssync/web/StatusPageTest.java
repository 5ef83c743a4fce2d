package org.zfssync.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusPageTest {
    private final String page = StatusPage.render(FakeService.standard());

    @Test
    void everyJobHasATableWithItsTargets() {
        assertThat(page).contains("<article class=\"job\" data-job=\"home\" data-level=\"warn\">",
                "<article class=\"job\" data-job=\"vms\" data-level=\"critical\">",
                "data-target=\"backup:tank/home\"", "data-target=\"offsite:pool/home\"", "data-target=\"backup:tank/vms\"");
    }

    @Test
    void rpoCellsCarryTheirLevelAsClassAndAttribute() {
        assertThat(page).contains("<td class=\"rpo ok\" data-level=\"ok\">10m 10s</td>",
                "<td class=\"rpo warn\" data-level=\"warn\">2h 05m</td>",
                "<td class=\"rpo critical\" data-level=\"critical\">1d 6h</td>");
    }

    @Test
    void failuresShowSinceWhenAndTheError() {
        assertThat(page).contains("1d 5h ago", FakeService.VMS_ERROR);
        assertThat(page).contains("<td class=\"error\">" + FakeService.VMS_ERROR + "</td>");
    }

    @Test
    void runningTransfersShowRateEtaAndProgress() {
        // 5 GiB left at 12 MiB/s: 427 s.
        assertThat(page).contains("<table id=\"running\">", "3.0 GiB of 8.0 GiB", "38 %",
                "<td class=\"num rate\">12.0 MiB/s</td>", "<td class=\"num eta\">7m 07s</td>");
    }

    @Test
    void recentRunsListResultsAndErrors() {
        assertThat(page).contains("<table id=\"runs\">", "data-run=\"3\" data-result=\"failed\"",
                "data-run=\"2\" data-result=\"success\"", "50.0 MiB");
    }

    @Test
    void thePageNeedsNoScript() {
        assertThat(page).doesNotContain("<script").contains("<meta http-equiv=\"refresh\" content=\"30\">");
    }

    @Test
    void everyValueIsEscaped() {
        String evil = "<script>alert('x')</script>";
        JobStatus job = new JobStatus(evil, List.of(new TargetStatus("t\"><b>", null, evil, null, FakeService.NOW, evil)),
                Duration.ofHours(1), Duration.ofHours(2), null, false);
        RunningTransfer transfer = new RunningTransfer(evil, evil, evil, evil, 1, 2, 1, FakeService.NOW);
        RunSummary run = new RunSummary(1, evil, evil, evil, FakeService.NOW, null, evil, 0, evil);
        String html = StatusPage.render(new ServiceStatus(FakeService.NOW, List.of(job), List.of(transfer), List.of(run)));
        assertThat(html).doesNotContain("<script", "<b>", "'x'")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "data-target=\"t&quot;&gt;&lt;b&gt;\"");
    }

    @Test
    void anEmptyServiceSaysSo() {
        String html = StatusPage.render(new ServiceStatus(FakeService.NOW, List.of(), List.of(), List.of()));
        assertThat(html).contains("No jobs are configured.", "No transfer is running.", "No runs yet.");
    }
}
