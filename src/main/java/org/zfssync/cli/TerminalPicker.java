package org.zfssync.cli;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Shows a {@link PickList} on the controlling terminal ({@code /dev/tty}) and reads keys from it
 * in non-canonical mode, restoring the terminal's settings afterwards, also on Ctrl-C.
 */
final class TerminalPicker {
    private static final int ROWS = 12;
    private static final String TTY = "/dev/tty";

    private TerminalPicker() {
    }

    static Optional<String> pick(String title, List<String> items) {
        String saved = stty("-g").strip();
        Thread restore = new Thread(() -> stty(saved));
        Runtime.getRuntime().addShutdownHook(restore);
        try (InputStream in = new FileInputStream(TTY);
             PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(TTY), StandardCharsets.UTF_8))) {
            stty("-icanon", "-echo", "min", "1");
            PickList list = new PickList(items);
            int drawn = 0;
            do {
                drawn = draw(out, title, list, drawn);
            } while (list.press(PickList.read(in)));
            clear(out, drawn);
            out.flush();
            return list.chosen();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            stty(saved);
            Runtime.getRuntime().removeShutdownHook(restore);
        }
    }

    /** Redraws the list in place; returns how many lines it now takes. */
    private static int draw(PrintWriter out, String title, PickList list, int previous) {
        clear(out, previous);
        List<String> matching = list.matching();
        int first = list.firstVisible(ROWS);
        out.printf("%s (%d of %d; type to filter, arrows to move, Enter to choose, Esc to cancel)%n", title,
                matching.size(), list.total());
        int lines = 1;
        for (int i = first; i < Math.min(matching.size(), first + ROWS); i++) {
            out.println(i == list.selected() ? "\u001b[7m> " + matching.get(i) + "\u001b[0m" : "  " + matching.get(i));
            lines++;
        }
        if (matching.isEmpty()) {
            out.println("  (nothing matches)");
            lines++;
        }
        out.print("filter: " + list.filter());
        out.flush();
        return lines;
    }

    /** Moves up over what was drawn and erases it. */
    private static void clear(PrintWriter out, int lines) {
        if (lines > 0) {
            out.print("\r\u001b[" + lines + "A\u001b[J");
        }
    }

    private static String stty(String... args) {
        List<String> argv = new ArrayList<>(List.of("stty"));
        argv.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(argv).redirectInput(new java.io.File(TTY))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String result = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
