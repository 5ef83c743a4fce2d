package org.zfssync.web;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Debian program a test drives (chromium, python3). Missing, it fails the test under CI ({@code CI=true}),
 * where .ci/run installs it, and skips it elsewhere with a message saying what to install.
 */
final class ExternalTool {
    private ExternalTool() {
    }

    static Path require(String path, String debianPackage) {
        Path tool = Path.of(path);
        boolean present = Files.isExecutable(tool);
        String missing = path + " is missing: apt-get install -y " + debianPackage;
        if (!present && "true".equals(System.getenv("CI"))) {
            fail(missing + " (CI=true: .ci/run installs it, so this is a broken CI machine)");
        }
        assumeTrue(present, missing);
        return tool;
    }

    /** Whether a Python module imports under the Debian python3; fails or skips like {@link #require}. */
    static void requirePythonModule(Path python, String module, String debianPackage) throws Exception {
        Result probe = run(List.of(python.toString(), "-c", "import " + module), "", 60);
        String missing = "python module " + module + " is missing: apt-get install -y " + debianPackage;
        if (probe.exit() != 0 && "true".equals(System.getenv("CI"))) {
            fail(missing + " (CI=true: .ci/run installs it)");
        }
        assumeTrue(probe.exit() == 0, missing);
    }

    record Result(int exit, String out, String err) {
    }

    /** Runs a command with {@code input} on stdin; the timeout only keeps a hung program from hanging the build. */
    static Result run(List<String> command, String input, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try (var stdin = p.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command.get(0) + " did not finish within " + timeoutSeconds + " s: " + command);
        }
        return new Result(p.exitValue(), out.get(), err.get());
    }

    private static String read(InputStream in) {
        try (in) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
