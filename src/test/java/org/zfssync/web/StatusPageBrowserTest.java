package org.zfssync.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser, Debian's headless Chromium: the DOM it builds holds the jobs, the RPO
 * cells with their levels and the error, and it renders a screenshot, {@code target/status-page.png} (the
 * README's {@code docs/status-page.png} is a copy of it: see the README).
 */
class StatusPageBrowserTest {
    private static final Path SCREENSHOT = Path.of("target", "status-page.png");

    @TempDir
    Path profile;

    private List<String> chromium(Path chromium, String... args) {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--hide-scrollbars", "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void theBrowserShowsJobsRpoLevelsAndTheError() throws Exception {
        Path chromium = ExternalTool.require("/usr/bin/chromium", "chromium");
        FakeService service = new FakeService();
        try (StatusServer server = StatusServer.start(HttpSettings.of("127.0.0.1:0", null), service, service,
                new ServiceMetrics(service))) {
            String url = server.uri().toString();

            ExternalTool.Result dom = ExternalTool.run(chromium(chromium, "--dump-dom", url), "", 180);
            assertThat(dom.exit()).as("chromium --dump-dom, stderr: %s", dom.err()).isZero();
            assertDom(dom.out());

            Files.createDirectories(SCREENSHOT.getParent());
            Files.deleteIfExists(SCREENSHOT);
            ExternalTool.Result shot = ExternalTool.run(chromium(chromium, "--window-size=1280,900",
                    "--screenshot=" + SCREENSHOT.toAbsolutePath(), url), "", 180);
            assertThat(shot.exit()).as("chromium --screenshot, stderr: %s", shot.err()).isZero();
        }
        assertThat(SCREENSHOT).exists();
        byte[] png = Files.readAllBytes(SCREENSHOT);
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        // A blank 1280x900 page compresses to a few KiB; the rendered tables, colours and text do not.
        assertThat(png.length).isGreaterThan(20_000);
        assertThat(pngWidthAndHeight(png)).containsExactly(1280, 900);
    }

    private static void assertDom(String dom) {
        assertThat(attributeValues(dom, "article", "data-job")).containsExactly("home", "vms");
        assertThat(dom).contains("<td class=\"rpo ok\" data-level=\"ok\">10m 10s</td>",
                "<td class=\"rpo warn\" data-level=\"warn\">2h 05m</td>",
                "<td class=\"rpo critical\" data-level=\"critical\">1d 6h</td>",
                "<td class=\"error\">" + FakeService.VMS_ERROR + "</td>",
                "<td class=\"num rate\">12.0 MiB/s</td>");
        assertThat(dom).doesNotContain("<script");
    }

    /** The values of {@code attribute} on every {@code element} in the DOM, in document order. */
    private static List<String> attributeValues(String dom, String element, String attribute) {
        Matcher m = Pattern.compile("<" + element + "\\b[^>]*\\b" + attribute + "=\"([^\"]*)\"").matcher(dom);
        List<String> values = new ArrayList<>();
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }

    /** Width and height from the PNG's IHDR chunk (bytes 16 to 23, big-endian). */
    private static List<Integer> pngWidthAndHeight(byte[] png) {
        java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(png, 16, 8);
        return List.of(header.getInt(), header.getInt());
    }
}
