package org.zfssync.job;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A loaded, validated config: its jobs in file order, defaults applied, and the daemon's own keys. */
public record Config(Path file, List<Job> jobs, ServiceConfig service) {
    public Config {
        jobs = List.copyOf(jobs);
    }

    public Config(Path file, List<Job> jobs) {
        this(file, jobs, ServiceConfig.NONE);
    }

    public Optional<Job> job(String name) {
        return jobs.stream().filter(j -> j.name().equals(name)).findFirst();
    }
}
