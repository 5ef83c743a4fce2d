package org.zfssync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

/**
 * One stage of a fake pipeline as a {@link Process}: its body runs on a thread of its own, reading
 * its stdin pipe and writing its stdout pipe; its stderr is delivered when it exits, like a real
 * process's. {@link #destroy()} is SIGKILL: both pipes close at once (a blocked read or write
 * fails), the body gets to finish what the kernel would (a receive keeps its partial state),
 * and the exit status is 137 whatever the body returns.
 */
final class FakeProcess extends Process {
    static final int KILLED = 137;

    /** What the stage does. Returns its exit status; writes its error output to {@code err}. */
    @FunctionalInterface
    interface Body {
        int run(InputStream in, OutputStream out, StringBuilder err, FakeProcess self) throws IOException;
    }

    private final FakePipe stdin;
    private final FakePipe stdout;
    private final FakePipe stderr = new FakePipe();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile boolean killed;

    private FakeProcess(FakePipe stdin, FakePipe stdout) {
        this.stdin = stdin;
        this.stdout = stdout;
    }

    /** Starts {@code body} between the two pipes; {@code onExit} hears the exit status before anyone else. */
    static FakeProcess start(String name, FakePipe stdin, FakePipe stdout, Body body, IntConsumer onExit) {
        FakeProcess p = new FakeProcess(stdin, stdout);
        Thread t = new Thread(() -> p.execute(body, onExit), "fake " + name);
        t.setDaemon(true);
        t.start();
        return p;
    }

    private void execute(Body body, IntConsumer onExit) {
        StringBuilder err = new StringBuilder();
        int code;
        try {
            code = body.run(stdin.in(), stdout.out(), err, this);
        } catch (IOException e) {
            code = 1;
            err.append(e.getMessage()).append('\n');
        } catch (RuntimeException | Error e) {
            code = 70;
            err.append("fake stage crashed: ").append(e).append('\n');
        }
        if (killed) {
            code = KILLED;
        }
        stdin.closeReader();
        stdout.closeWriter();
        try {
            stderr.out().write(err.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // Nobody reads the error output any more.
        }
        stderr.closeWriter();
        onExit.accept(code);
        exit.complete(code);
    }

    /** Whether the stage was killed (its body should stop as a killed process would). */
    boolean killed() {
        return killed;
    }

    @Override
    public OutputStream getOutputStream() {
        return stdin.out();
    }

    @Override
    public InputStream getInputStream() {
        return stdout.in();
    }

    @Override
    public InputStream getErrorStream() {
        return stderr.in();
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            exit.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int exitValue() {
        Integer code = exit.getNow(null);
        if (code == null) {
            throw new IllegalThreadStateException("process has not exited");
        }
        return code;
    }

    @Override
    public void destroy() {
        killed = true;
        stdin.closeReader();
        stdout.closeWriter();
    }

    @Override
    public Process destroyForcibly() {
        destroy();
        return this;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public Stream<ProcessHandle> descendants() {
        return Stream.empty();
    }

    @Override
    public Stream<ProcessHandle> children() {
        return Stream.empty();
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return exit.thenApply(c -> this);
    }
}
