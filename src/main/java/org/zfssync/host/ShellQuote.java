package org.zfssync.host;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * POSIX shell quoting: the one function through which every argument that crosses a remote
 * shell passes. ssh hands the remote side a single string that the login shell splits again,
 * so each argv element must arrive as exactly one word with its bytes unchanged.
 */
public final class ShellQuote {
    /** Words made only of these characters mean the same to every POSIX shell unquoted. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private ShellQuote() {
    }

    /** Quotes one argument; single quotes protect everything but a single quote itself. */
    public static String quote(String argument) {
        if (argument.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an argument cannot contain a NUL byte");
        }
        if (SAFE.matcher(argument).matches()) {
            return argument;
        }
        return "'" + argument.replace("'", "'\"'\"'") + "'";
    }

    /** Quotes each argument and joins them with spaces: a command line a shell splits back into argv. */
    public static String join(List<String> argv) {
        return argv.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
    }
}
