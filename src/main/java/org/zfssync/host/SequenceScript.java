package org.zfssync.host;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs commands one after another in one remote {@code sh}, all sharing the session's stdin and
 * stdout (the sends of many small streams, written back to back, or the receives that read them
 * in turn), and still learns each one's exit status and stderr. Each command runs as
 * <pre>printf '\nTAG i\n' &gt;&amp;2; CMD; zs_s=$?; printf '\nTAG-exit i %s\n' $zs_s &gt;&amp;2; [ $zs_s -eq 0 ] || exit 1</pre>
 * so the first that fails ends the script: after it, what the shared stream holds no longer lines
 * up with the commands (a receive that failed left its stream unread; a send that failed cut its
 * own). The commands run in order in one process, so whatever a command writes to stderr comes
 * between its two marker lines; no helper process (such as {@link StageScript}'s {@code sed}) runs
 * per command, which matters on a slow host running hundreds of them. Lines outside every pair of
 * markers are ssh's own.
 *
 * <p>The script is one line, for {@link ShellQuote#loginScript}.
 */
final class SequenceScript {
    private SequenceScript() {
    }

    static String render(List<Command> commands, String tag) {
        if (commands.isEmpty()) {
            throw new IllegalArgumentException("a sequence needs at least one command");
        }
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < commands.size(); i++) {
            if (i > 0) {
                script.append(' ');
            }
            script.append("printf '\\n").append(tag).append(' ').append(i).append("\\n' >&2; ")
                    .append(ShellQuote.scriptJoin(commands.get(i).argv()))
                    .append("; zs_s=$?; printf '\\n").append(tag).append("-exit ").append(i)
                    .append(" %s\\n' \"$zs_s\" >&2; [ \"$zs_s\" -eq 0 ] || exit 1;");
        }
        return script.toString();
    }

    /**
     * One result per command from the session's stderr. A command whose status never arrived gets
     * ssh's failure status, 255: with ssh's own messages and "the connection was lost" if it had
     * started, or "not run" (with the command that failed before it) if it had not.
     */
    static List<CommandResult> decode(List<Command> commands, String tag, String host, String stderr) {
        int n = commands.size();
        List<StringBuilder> texts = new ArrayList<>();
        Integer[] exits = new Integer[n];
        boolean[] started = new boolean[n];
        for (int i = 0; i < n; i++) {
            texts.add(new StringBuilder());
        }
        StringBuilder untagged = new StringBuilder();
        Pattern begin = Pattern.compile("^" + Pattern.quote(tag) + " (\\d{1,9})$");
        Pattern end = Pattern.compile("^" + Pattern.quote(tag) + "-exit (\\d{1,9}) (\\d{1,3})$");
        int current = -1;
        for (String l : stderr.split("\n", -1)) {
            Matcher b = begin.matcher(l);
            Matcher e = end.matcher(l);
            if (b.matches() && Integer.parseInt(b.group(1)) < n) {
                current = Integer.parseInt(b.group(1));
                started[current] = true;
            } else if (e.matches() && Integer.parseInt(e.group(1)) < n) {
                exits[Integer.parseInt(e.group(1))] = Integer.parseInt(e.group(2));
                current = -1;
            } else if (!l.isBlank()) {
                (current >= 0 ? texts.get(current) : untagged).append(l).append('\n');
            }
        }
        List<CommandResult> results = new ArrayList<>();
        String failedBefore = null;
        for (int i = 0; i < n; i++) {
            Command c = commands.get(i);
            if (exits[i] != null) {
                results.add(new CommandResult(c, host, exits[i], "", texts.get(i).toString()));
                if (exits[i] != 0 && failedBefore == null) {
                    failedBefore = "`" + c + "` (exit " + exits[i] + ")";
                }
            } else if (started[i] || failedBefore == null) {
                String lost = texts.get(i) + untagged.toString()
                        + (untagged.length() == 0 ? "no exit status from " + host + ": the connection was lost\n" : "");
                results.add(new CommandResult(c, host, SshHost.SSH_FAILURE, "", lost));
                failedBefore = failedBefore == null ? "`" + c + "` (no exit status)" : failedBefore;
            } else {
                results.add(new CommandResult(c, host, SshHost.SSH_FAILURE, "", "not run: " + failedBefore
                        + " failed before it on " + host + "\n"));
            }
        }
        return results;
    }
}
