package org.zfssync.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Drains a process stream on its own thread so the process never blocks on a full pipe, keeping
 * at most the last {@code limit} bytes: enough to report an error, bounded for chatty programs.
 */
final class OutputCollector {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final int limit;
    private final Thread thread;
    private boolean truncated;

    private OutputCollector(InputStream in, int limit, String name) {
        this.limit = limit;
        this.thread = new Thread(() -> drain(in), name);
        this.thread.setDaemon(true);
    }

    static OutputCollector start(InputStream in, int limit, String name) {
        OutputCollector collector = new OutputCollector(in, limit, name);
        collector.thread.start();
        return collector;
    }

    private void drain(InputStream in) {
        byte[] chunk = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                append(chunk, n);
            }
        } catch (IOException e) {
            // The process went away; what was read so far is what there is.
        }
    }

    private synchronized void append(byte[] chunk, int n) {
        buffer.write(chunk, 0, n);
        if (buffer.size() > 2 * limit) {
            byte[] all = buffer.toByteArray();
            buffer.reset();
            buffer.write(all, all.length - limit, limit);
            truncated = true;
        }
    }

    /** Waits for the stream to end and returns its text. */
    String await() {
        return await(Duration.ZERO);
    }

    /**
     * Waits at most {@code max} (zero: for ever) for the stream to end and returns the text read
     * so far. A process killed at its deadline may not close the stream: an ssh multiplexing
     * client hands its stdout to the master, which keeps it open while the remote command lives.
     */
    String await(Duration max) {
        try {
            thread.join(max.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            String text = buffer.toString(StandardCharsets.UTF_8);
            if (truncated || text.length() > limit) {
                return "[…]" + text.substring(Math.max(0, text.length() - limit));
            }
            return text;
        }
    }
}
