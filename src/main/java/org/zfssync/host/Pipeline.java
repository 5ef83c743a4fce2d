package org.zfssync.host;

import java.util.ArrayList;
import java.util.List;

/**
 * Commands joined stdout to stdin on one host, like {@code a | b | c}, each keeping its own exit
 * status and stderr: a data stream's sending or receiving half.
 */
public record Pipeline(List<Command> stages) {
    public Pipeline {
        stages = List.copyOf(stages);
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("a pipeline needs at least one stage");
        }
    }

    public static Pipeline of(Command... stages) {
        return new Pipeline(List.of(stages));
    }

    /** This pipeline with {@code next} reading its output. */
    public Pipeline then(Command next) {
        List<Command> all = new ArrayList<>(stages);
        all.add(next);
        return new Pipeline(all);
    }

    /** This pipeline reading the output of {@code previous}. */
    public Pipeline after(Command previous) {
        List<Command> all = new ArrayList<>();
        all.add(previous);
        all.addAll(stages);
        return new Pipeline(all);
    }

    public int size() {
        return stages.size();
    }

    /** The pipeline as a POSIX shell would read it; each stage quoted by {@link ShellQuote}. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Command c : stages) {
            parts.add(ShellQuote.join(c.argv()));
        }
        return String.join(" | ", parts);
    }
}
