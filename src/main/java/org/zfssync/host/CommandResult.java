package org.zfssync.host;

/** What one command did: its exit status and what it printed. */
public record CommandResult(Command command, String host, int exitCode, String stdout, String stderr) {
    public boolean ok() {
        return exitCode == 0;
    }

    /** The first non-blank line of stderr, or of stdout when stderr is empty: the line users need. */
    public String errorLine() {
        String text = stderr.isBlank() ? stdout : stderr;
        return text.strip().lines().filter(l -> !l.isBlank()).findFirst().orElse("exit status " + exitCode);
    }

    /**
     * Everything the command printed, stdout then stderr: what a parser reads, since a command run
     * in a batch ({@link Host#runAll}) gets its output back merged into one text.
     */
    public String output() {
        return stdout.isEmpty() ? stderr : stderr.isEmpty() ? stdout : stdout + "\n" + stderr;
    }

    /** Stderr trimmed for an error message; the whole of it, since hiding stderr is what hurts users. */
    public String stderrTrimmed() {
        return stderr.strip();
    }
}
