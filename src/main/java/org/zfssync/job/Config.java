package org.zfssync.job;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A loaded, validated config: its jobs in file order, defaults applied. */
public record Config(Path file, List<Job> jobs) {
    public Config {
        jobs = List.copyOf(jobs);
    }

    public Optional<Job> job(String name) {
        return jobs.stream().filter(j -> j.name().equals(name)).findFirst();
    }
}
