package org.zfssync.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;

/**
 * The lab's guest image: built from Debian packages by {@code lab/build-image.sh} (shipped in the
 * jar) on first use, then reused from the user's cache until the recipe changes.
 */
public final class LabImage {
    private static final String RECIPE = "/org/zfssync/lab/build-image.sh";

    private LabImage() {
    }

    /**
     * Returns the image directory for a variant ("2.1" or "2.3"), building it if needed; the
     * build's progress goes to this process's stderr.
     */
    public static Path ensure(String variant) {
        if (!variant.equals("2.1") && !variant.equals("2.3")) {
            throw new IllegalArgumentException("unknown lab variant '" + variant + "' (use 2.1 or 2.3)");
        }
        try {
            Path script = Files.createTempFile("zfs-sync-build-image-", ".sh");
            try (InputStream in = LabImage.class.getResourceAsStream(RECIPE)) {
                if (in == null) {
                    throw new IllegalStateException("the lab recipe is missing from the jar: " + RECIPE);
                }
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                Process p = new ProcessBuilder("bash", script.toString(), variant)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                int exit = p.waitFor();
                if (exit != 0) {
                    throw new LabException("building the lab image failed (exit " + exit + "); see the messages above");
                }
                String last = out.substring(out.lastIndexOf('\n') + 1);
                return Paths.get(last);
            } finally {
                Files.deleteIfExists(script);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the lab image build", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while building the lab image");
        }
    }
}
