package org.zfssync.host;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a multi-stage pipeline in one remote {@code sh} and still learns every stage's exit
 * status and stderr: pipefail semantics for shells that lack {@code set -o pipefail} (dash,
 * FreeBSD's sh before 13). Each stage runs as
 * <pre>{ { CMD 2&gt;&amp;1 &gt;&amp;3 3&gt;&amp;-; echo "TAG-exit $?"; } | sed "s/^/TAG i /" &gt;&amp;2; } 3&gt;&amp;1</pre>
 * so its data goes on through fd 3 while its stderr, then its status, reach ssh's stderr on
 * lines tagged with a per-run nonce and the stage index. Lines without a tag are ssh's own.
 *
 * <p>The script is one line (an argument's newline is spelled {@code "$zs_nl"}, see
 * {@link ShellQuote#scriptJoin}) so that {@link ShellQuote#loginScript} can hand it to any login
 * shell, csh included.
 */
final class StageScript {
    private StageScript() {
    }

    static String render(Pipeline pipeline, String tag) {
        return render(pipeline, tag, -1);
    }

    /**
     * As {@link #render(Pipeline, String)}, but stage {@code meter} (if not -1) writes its stderr
     * straight to the session's stdout, untagged and unbuffered: a byte counter's live figures
     * ({@code pv -n -b}), which would otherwise wait in {@code sed}'s output buffer until the end.
     * Its exit status still comes back tagged; every other stage has the session's stdout closed.
     */
    static String render(Pipeline pipeline, String tag, int meter) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < pipeline.size(); i++) {
            String command = ShellQuote.scriptJoin(pipeline.stages().get(i).argv());
            String redirections = meter < 0 ? " 2>&1 >&3 3>&-" : i == meter ? " 2>&4 >&3 3>&- 4>&-" : " 2>&1 >&3 3>&- 4>&-";
            parts.add("{ { " + command + redirections + "; echo \"" + tag + "-exit $?\"; } | sed \"s/^/" + tag + " " + i
                    + " /\" >&2; } 3>&1");
        }
        String script = String.join(" | ", parts);
        return meter < 0 ? script : "{ " + script + "; } 4>&1";
    }

    /**
     * One result per stage from ssh's exit status and stderr. A stage whose status never arrived
     * (the connection was lost, or ssh itself failed) gets ssh's failure status, 255, and ssh's own messages.
     */
    static List<CommandResult> decode(Pipeline pipeline, String tag, String host, String stderr) {
        int n = pipeline.size();
        List<StringBuilder> texts = new ArrayList<>();
        Integer[] exits = new Integer[n];
        for (int i = 0; i < n; i++) {
            texts.add(new StringBuilder());
        }
        StringBuilder untagged = new StringBuilder();
        Pattern line = Pattern.compile("^" + Pattern.quote(tag) + " (\\d+) (.*)$");
        Pattern status = Pattern.compile("^" + Pattern.quote(tag) + "-exit (\\d+)$");
        for (String l : stderr.split("\n", -1)) {
            Matcher m = line.matcher(l);
            if (m.matches() && Integer.parseInt(m.group(1)) < n) {
                int i = Integer.parseInt(m.group(1));
                Matcher s = status.matcher(m.group(2));
                if (s.matches()) {
                    exits[i] = Integer.parseInt(s.group(1));
                } else {
                    texts.get(i).append(m.group(2)).append('\n');
                }
            } else if (!l.isBlank()) {
                untagged.append(l).append('\n');
            }
        }
        List<CommandResult> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Command c = pipeline.stages().get(i);
            if (exits[i] != null) {
                results.add(new CommandResult(c, host, exits[i], "", texts.get(i).toString()));
            } else {
                String lost = texts.get(i) + untagged.toString()
                        + (untagged.length() == 0 ? "no exit status from " + host + ": the connection was lost\n" : "");
                // No status: the transport failed (ssh's own 255, or ssh killed); its messages say how.
                results.add(new CommandResult(c, host, SshHost.SSH_FAILURE, "", lost));
            }
        }
        return results;
    }
}
