package org.zfssync.job;

import java.util.List;

/** The config cannot be used: every problem found, each with file, line and column. Exit code 2. */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
