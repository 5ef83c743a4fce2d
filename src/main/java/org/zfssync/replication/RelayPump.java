package org.zfssync.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's copy from the sender's connection to the receiver's, through a buffer of up to
 * {@code capacity} bytes held here: one thread reads while another writes, so a pause of
 * {@code zfs receive} (a transaction group being written) does not stop {@code zfs send}, and a
 * pause of {@code zfs send} (reading the pool) does not starve the receiver while the buffer
 * holds data. It is the buffer an mbuffer on each host would be, on the machine the bytes
 * already pass through: it costs the hosts no process and no copy (on the lab's one-CPU guest
 * the two mbuffers cost the relay 15 % of its rate). Memory is taken only as data waits.
 *
 * <p>The rate cap paces the reading, so the sender's link runs at the cap and a receiver's pause
 * is made up from the buffer. Bytes are counted as they are written to the receiver: what the
 * count says has left this machine, so a stalled receiver stops the count.
 */
final class RelayPump {
    /** How a pump ended. */
    enum Outcome {
        /** The sender's stream ended (well or not: its exit status says) and all it gave was written. */
        DELIVERED,
        /** The receiver stopped reading first: the sender cannot finish. */
        RECEIVER_GONE,
        /** Interrupted, or failed here: the receiver got part of the stream and the sender must be stopped. */
        STOPPED
    }

    private static final Logger LOG = LoggerFactory.getLogger(RelayPump.class);
    private static final int READ = 1 << 20;
    private static final int MAX_CAPACITY = 32 << 20;
    private static final byte[] END = new byte[0];

    private final InputStream from;
    private final OutputStream to;
    private final RateLimiter limiter;
    private final AtomicLong bytes;
    private final int capacity;
    private final LinkedBlockingQueue<byte[]> waiting = new LinkedBlockingQueue<>();
    private final Semaphore room;
    private volatile boolean writerGone;

    /**
     * @param limiter the rate cap, or null
     * @param bytes   counts what reached the receiver
     */
    RelayPump(InputStream from, OutputStream to, RateLimiter limiter, AtomicLong bytes, int capacity) {
        if (capacity < READ) {
            throw new IllegalArgumentException("the relay's buffer must hold at least one read of " + READ + " bytes");
        }
        this.from = from;
        this.to = to;
        this.limiter = limiter;
        this.bytes = bytes;
        this.capacity = capacity;
        this.room = new Semaphore(capacity);
    }

    /**
     * What one relayed stream may hold: 32 MiB (mbuffer's default on either end), less where the
     * heap is small, so that 64 streams at once (the most {@code --workers} allows) hold at most
     * half of it.
     */
    static int capacity(long maxHeap) {
        return (int) Math.max(READ, Math.min(MAX_CAPACITY, maxHeap / 128));
    }

    /** Copies until the sender's end, then closes the receiver's input. */
    Outcome run(String name) {
        Thread reader = new Thread(this::read, name);
        reader.setDaemon(true);
        reader.start();
        try {
            return write(reader);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.STOPPED;
        } catch (RuntimeException | Error e) {
            // The stream is cut here, not by either host: say so, or the receiver's failure would be all there is.
            LOG.warn("{}: the relay stopped: {}", name, e.toString());
            return Outcome.STOPPED;
        } finally {
            // The reader may wait for room that the writer will no longer make: let it go.
            writerGone = true;
            room.release(capacity);
            try {
                to.close();
            } catch (IOException e) {
                // Closing a pipe whose reader is gone: its exit status says why.
            }
        }
    }

    /**
     * Reads into the queue until the sender's end (or a broken stream: its exit status says why),
     * then closes it. Once the writer is gone, what arrives is dropped until the sender stops.
     */
    private void read() {
        byte[] buffer = new byte[READ];
        try (from) {
            int n;
            while ((n = from.read(buffer)) > 0) {
                if (writerGone) {
                    continue;
                }
                if (limiter != null) {
                    limiter.acquire(n);
                }
                room.acquire(n);
                if (!writerGone) {
                    waiting.put(Arrays.copyOf(buffer, n));
                }
            }
        } catch (IOException e) {
            // The sender's stream broke: its exit status says why.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiting.add(END);
        }
    }

    /** Writes what the queue holds until the sender's end. */
    private Outcome write(Thread reader) throws InterruptedException {
        while (true) {
            byte[] piece = waiting.poll(1, TimeUnit.SECONDS);
            if (piece == null) {
                if (!reader.isAlive() && waiting.isEmpty()) {
                    return Outcome.STOPPED; // the reader died without its end mark
                }
                continue;
            }
            if (piece == END) {
                return Outcome.DELIVERED;
            }
            try {
                to.write(piece);
                to.flush();
            } catch (IOException e) {
                return Outcome.RECEIVER_GONE;
            }
            room.release(piece.length);
            bytes.addAndGet(piece.length);
        }
    }
}
