package org.zfssync.host;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A started pipeline (one half of a data stream): its first stage's stdin and last stage's
 * stdout are the stream; every stage's stderr is collected and its exit status reported. Locally
 * each stage is its own process; remotely the whole pipeline is one ssh session whose stderr is
 * decoded into per-stage results.
 */
public final class RunningPipeline {
    private static final int STDERR_LIMIT = 64 * 1024;
    private final Pipeline pipeline;
    private final String host;
    private final List<Process> processes;
    private final List<OutputCollector> stderr = new ArrayList<>();
    /** Turns (exit status, stderr) of each process into one result per stage. */
    private final BiFunction<List<Integer>, List<String>, List<CommandResult>> decoder;

    RunningPipeline(Pipeline pipeline, String host, List<Process> processes,
            BiFunction<List<Integer>, List<String>, List<CommandResult>> decoder) {
        this.pipeline = pipeline;
        this.host = host;
        this.processes = List.copyOf(processes);
        this.decoder = decoder;
        for (Process p : processes) {
            stderr.add(OutputCollector.start(p.getErrorStream(), STDERR_LIMIT, "stderr " + host));
        }
    }

    /** One local process per stage, each result its own. */
    static RunningPipeline local(Pipeline pipeline, List<Process> processes) {
        return new RunningPipeline(pipeline, LocalHost.NAME, processes, (exits, errs) -> {
            List<CommandResult> results = new ArrayList<>();
            for (int i = 0; i < exits.size(); i++) {
                results.add(new CommandResult(pipeline.stages().get(i), LocalHost.NAME, exits.get(i), "", errs.get(i)));
            }
            return results;
        });
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public String host() {
        return host;
    }

    public InputStream stdout() {
        return processes.get(processes.size() - 1).getInputStream();
    }

    public OutputStream stdin() {
        return processes.get(0).getOutputStream();
    }

    /** Kills every process (and so the data connection, for a remote pipeline). */
    public void kill() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** Waits up to {@code limit} for every process to end; true if all have. */
    public boolean waitFor(java.time.Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            for (Process p : processes) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits for every stage and returns one result per stage, in pipeline order. */
    public List<CommandResult> await() {
        List<Integer> exits = new ArrayList<>();
        List<String> errs = new ArrayList<>();
        for (int i = 0; i < processes.size(); i++) {
            Process p = processes.get(i);
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                p.onExit().join();
            }
            exits.add(p.exitValue());
            errs.add(stderr.get(i).await());
        }
        return decoder.apply(exits, errs);
    }

    /** Every stage succeeded. */
    public static boolean allOk(List<CommandResult> results) {
        return results.stream().allMatch(CommandResult::ok);
    }
}
