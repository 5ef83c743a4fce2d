package org.zfssync.host;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Shell quoting: the one place through which every argument that crosses a remote shell passes.
 * sshd hands the remote side a single string that the user's login shell splits again
 * ({@code $SHELL -c LINE}), and that shell may be sh, bash, dash, ksh, zsh or, on FreeBSD before
 * 14.0, csh/tcsh. So each argv element must arrive as exactly one word with its bytes unchanged
 * under all of them.
 *
 * <p>Single quotes protect everything in every one of those shells except three characters: a
 * single quote itself, {@code !} (csh history expansion happens even inside single quotes) and a
 * newline (csh cannot quote one at all: "Unmatched '"). A single quote travels as {@code "'"} and
 * {@code !} as {@code \!} outside the quotes, which every shell reads back the same. A newline
 * has no portable form on the login shell's line, so an argument holding one is handed to
 * {@code sh} instead, where {@code "$zs_nl"} stands for it ({@link #loginLine}).
 */
public final class ShellQuote {
    /**
     * Words made only of these characters mean the same to every shell unquoted; none starts
     * with {@code =} (tcsh: a directory stack entry) or {@code %} (csh: a job).
     */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@+:,./-][A-Za-z0-9_@%+=:,./-]*");
    /** The variable a one-line sh script reads a newline from (see {@link #NEWLINE_SETUP}). */
    private static final String NEWLINE = "\"$zs_nl\"";
    /** Sets {@code zs_nl} to a newline without writing one: $(…) strips trailing newlines, hence the '_'. */
    private static final String NEWLINE_SETUP = "zs_nl=$(printf '\\n_'); zs_nl=${zs_nl%_}; ";

    private ShellQuote() {
    }

    /**
     * Quotes one argument so that any of sh, bash, dash, csh and tcsh reads it back unchanged. An
     * argument with a newline keeps it inside the quotes: right for a Bourne shell (a shown
     * command, a script fed to {@code sh}), never put on a login shell's line ({@link #loginLine}).
     */
    public static String quote(String argument) {
        return word(argument, "\n");
    }

    /** Quotes each argument and joins them with spaces: a command line a shell splits back into argv. */
    public static String join(List<String> argv) {
        return argv.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
    }

    /**
     * The remote command line for argv, right under any login shell: argv quoted as is, or, when
     * an argument holds a newline, run by {@code sh} where the newline can be spelled.
     */
    static String loginLine(List<String> argv) {
        if (argv.stream().noneMatch(a -> a.indexOf('\n') >= 0)) {
            return join(argv);
        }
        return loginScript("exec " + scriptJoin(argv));
    }

    /**
     * argv quoted for a one-line script that {@code sh} runs (through {@link #loginScript}): a
     * newline in an argument becomes {@code "$zs_nl"}, so the script itself never holds one.
     */
    static String scriptJoin(List<String> argv) {
        return argv.stream().map(a -> word(a, NEWLINE)).collect(Collectors.joining(" "));
    }

    /**
     * A one-line {@code sh} script as a remote command line for any login shell:
     * {@code sh -c 'SCRIPT'}, setting {@code zs_nl} first when the script uses it.
     */
    static String loginScript(String script) {
        if (script.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a script for a remote login shell must be one line: " + script);
        }
        String body = script.contains(NEWLINE) ? NEWLINE_SETUP + script : script;
        return "sh -c " + quote(body);
    }

    /** Single-quoted runs, with {@code '} and {@code !} outside them, and a newline as given. */
    private static String word(String argument, String newline) {
        if (argument.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an argument cannot contain a NUL byte");
        }
        if (SAFE.matcher(argument).matches()) {
            return argument;
        }
        if (argument.isEmpty()) {
            return "''";
        }
        StringBuilder out = new StringBuilder(argument.length() + 8);
        boolean open = false;
        for (int i = 0; i < argument.length(); i++) {
            char c = argument.charAt(i);
            String outside = switch (c) {
                case '\'' -> "\"'\"";
                case '!' -> "\\!";
                case '\n' -> newline.equals("\n") ? null : newline;
                default -> null;
            };
            if (outside == null) {
                if (!open) {
                    out.append('\'');
                    open = true;
                }
                out.append(c);
            } else {
                if (open) {
                    out.append('\'');
                    open = false;
                }
                out.append(outside);
            }
        }
        if (open) {
            out.append('\'');
        }
        return out.toString();
    }
}
