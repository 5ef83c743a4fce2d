package org.zfssync.host;

import java.util.List;

/**
 * A program and its arguments, never a shell string. {@code readOnly} marks commands that
 * change nothing (listings, probes): the only ones a dry run executes.
 */
public record Command(List<String> argv, boolean readOnly) {
    public Command {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a command needs a program");
        }
    }

    public static Command reading(String... argv) {
        return new Command(List.of(argv), true);
    }

    public static Command changing(String... argv) {
        return new Command(List.of(argv), false);
    }

    public static Command changing(List<String> argv) {
        return new Command(argv, false);
    }

    public static Command reading(List<String> argv) {
        return new Command(argv, true);
    }

    public String program() {
        return argv.get(0);
    }

    @Override
    public String toString() {
        return ShellQuote.join(argv);
    }
}
