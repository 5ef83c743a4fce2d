package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RelayPumpTest {
    private static final int MIB = 1 << 20;

    @Test
    void copiesEveryByteInOrderAndCountsThem() {
        byte[] data = new byte[5 * MIB + 12345];
        new Random(7).nextBytes(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicLong bytes = new AtomicLong();
        RelayPump.Outcome outcome = new RelayPump(new ByteArrayInputStream(data), out, null, bytes, 2 * MIB).run("test");
        assertThat(outcome).isEqualTo(RelayPump.Outcome.DELIVERED);
        assertThat(out.toByteArray()).isEqualTo(data);
        assertThat(bytes.get()).isEqualTo(data.length);
    }

    /** The point of the pump's two threads: a receiver that pauses does not stop the sender. */
    @Test
    void theSenderRunsOnWhileTheReceiverPausesUpToTheBuffer() {
        Counted in = new Counted(6 * MIB);
        CountDownLatch senderDone = new CountDownLatch(1);
        in.onEnd = senderDone::countDown;
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream paused = receiver((b, off, len) -> {
            // A receive writing its transaction group: it takes nothing until the sender has ended.
            if (!senderDone.await(20, TimeUnit.SECONDS)) {
                throw new IOException("the sender never ended while the receiver paused");
            }
            sink.write(b, off, len);
        });
        RelayPump.Outcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> new RelayPump(in, paused, null, new AtomicLong(), 8 * MIB).run("test"));
        assertThat(outcome).isEqualTo(RelayPump.Outcome.DELIVERED);
        assertThat(sink.size()).isEqualTo(6 * MIB);
    }

    @Test
    void holdsNoMoreThanItsCapacityWhileTheReceiverPauses() {
        Counted in = new Counted(16 * MIB);
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong readWhilePaused = new AtomicLong(-1);
        OutputStream paused = receiver((b, off, len) -> {
            if (readWhilePaused.get() < 0) {
                Thread.sleep(500);
                readWhilePaused.set(in.read.get());
                go.countDown();
            }
            go.await();
        });
        AtomicLong bytes = new AtomicLong();
        RelayPump.Outcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> new RelayPump(in, paused, null, bytes, 2 * MIB).run("test"));
        assertThat(outcome).isEqualTo(RelayPump.Outcome.DELIVERED);
        assertThat(bytes.get()).isEqualTo(16 * MIB);
        // What the buffer holds, the piece being written and one read that waits for room.
        assertThat(readWhilePaused.get()).isBetween((long) MIB, 4L * MIB);
    }

    @Test
    void aReceiverThatStopsReadingIsReportedAndTheSenderIsNotLeftBlocked() {
        Counted in = new Counted(64 * MIB);
        AtomicLong taken = new AtomicLong();
        OutputStream quits = receiver((b, off, len) -> {
            if (taken.addAndGet(len) > 3 * MIB) {
                throw new IOException("Broken pipe");
            }
        });
        AtomicLong bytes = new AtomicLong();
        RelayPump.Outcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> new RelayPump(in, quits, null, bytes, 2 * MIB).run("test"));
        assertThat(outcome).isEqualTo(RelayPump.Outcome.RECEIVER_GONE);
        assertThat(bytes.get()).as("only what the receiver took is counted").isLessThanOrEqualTo(3 * MIB);
        // Until the caller stops the sender, what it still writes is read and dropped: it never blocks on a full pipe.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            while (in.read.get() < 64 * MIB) {
                Thread.sleep(10);
            }
        });
    }

    @Test
    void anEmptyStreamIsDeliveredAndTheReceiversInputClosed() {
        ClosedCheck out = new ClosedCheck();
        RelayPump.Outcome outcome = new RelayPump(new ByteArrayInputStream(new byte[0]), out, null, new AtomicLong(),
                2 * MIB).run("test");
        assertThat(outcome).isEqualTo(RelayPump.Outcome.DELIVERED);
        assertThat(out.closed).isTrue();
    }

    /** A broken sender's stream ends the copy: what came is delivered, the receiver's input closed, its exit status says the rest. */
    @Test
    void aSenderThatBreaksMidStreamLeavesWhatItGaveAndAClosedInput() {
        InputStream breaks = new InputStream() {
            private int given;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (given >= 3) {
                    throw new IOException("Connection reset");
                }
                given++;
                Arrays.fill(b, off, off + 1000, (byte) given);
                return 1000;
            }
        };
        ClosedCheck out = new ClosedCheck();
        AtomicLong bytes = new AtomicLong();
        RelayPump.Outcome outcome = new RelayPump(breaks, out, null, bytes, 2 * MIB).run("test");
        assertThat(outcome).isEqualTo(RelayPump.Outcome.DELIVERED);
        assertThat(out.size()).isEqualTo(3000);
        assertThat(out.toByteArray()[2999]).isEqualTo((byte) 3);
        assertThat(bytes.get()).isEqualTo(3000);
        assertThat(out.closed).isTrue();
    }

    @Test
    void anInterruptedRelaySaysItStoppedAndClosesTheReceiversInput() throws Exception {
        ClosedCheck out = new ClosedCheck();
        CountDownLatch never = new CountDownLatch(1);
        InputStream silent = new InputStream() {
            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return -1;
            }
        };
        RelayPump.Outcome[] outcome = new RelayPump.Outcome[1];
        Thread relay = new Thread(() -> outcome[0] = new RelayPump(silent, out, null, new AtomicLong(), 2 * MIB)
                .run("test"));
        relay.start();
        Thread.sleep(200);
        relay.interrupt();
        relay.join(10_000);
        never.countDown();
        assertThat(outcome[0]).isEqualTo(RelayPump.Outcome.STOPPED);
        assertThat(out.closed).isTrue();
    }

    /** The cap paces the reading: the sender's link runs at it, and a receiver's pause is made up from the buffer. */
    @Test
    void theRateCapPacesTheSender() {
        long[] now = {0};
        RateLimiter limiter = new RateLimiter(MIB, () -> now[0], d -> now[0] += d.toNanos());
        Counted in = new Counted(4 * MIB);
        AtomicLong bytes = new AtomicLong();
        RelayPump.Outcome outcome = new RelayPump(in, new ByteArrayOutputStream(), limiter, bytes, 2 * MIB).run("test");
        assertThat(outcome).isEqualTo(RelayPump.Outcome.DELIVERED);
        assertThat(bytes.get()).isEqualTo(4 * MIB);
        assertThat(now[0]).as("4 MiB at 1 MiB/s on the limiter's clock, less its quarter-second burst")
                .isBetween(3_500_000_000L, 4_100_000_000L);
    }

    @Test
    void aSmallHeapGetsASmallerBuffer() {
        assertThat(RelayPump.capacity(24L << 30)).isEqualTo(32 << 20);
        assertThat(RelayPump.capacity(512L << 20)).isEqualTo(4 << 20);
        assertThat(RelayPump.capacity(64L << 20)).isEqualTo(MIB);
    }

    /** Remembers that it was closed. */
    private static final class ClosedCheck extends ByteArrayOutputStream {
        volatile boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }

    /** What a receiver does with each piece written to it. */
    private interface Take {
        void take(byte[] b, int off, int len) throws IOException, InterruptedException;
    }

    private static OutputStream receiver(Take take) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    take.take(b, off, len);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        };
    }

    /** A sender of {@code size} zero bytes, in reads of at most 64 KiB (a pipe's), counting what was read. */
    private static final class Counted extends InputStream {
        private final long size;
        final AtomicLong read = new AtomicLong();
        Runnable onEnd = () -> { };

        Counted(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            long left = size - read.get();
            if (left <= 0) {
                onEnd.run();
                return -1;
            }
            int n = (int) Math.min(Math.min(len, 64 * 1024), left);
            read.addAndGet(n);
            return n;
        }
    }
}
