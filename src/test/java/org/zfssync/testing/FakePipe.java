package org.zfssync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An OS pipe in memory: a bounded buffer, so a writer blocks while its reader is slow (back
 * pressure, as with a real pipe). Closing the reading end makes the writer fail with
 * "Broken pipe"; closing the writing end gives the reader end-of-file once the buffer is drained.
 * Unlike {@link java.io.PipedInputStream} it does not care which threads use it.
 */
final class FakePipe {
    private static final int CAPACITY = 64 * 1024;
    private final byte[] buffer = new byte[CAPACITY];
    private int head;
    private int size;
    private boolean writerClosed;
    private boolean readerClosed;

    private final InputStream in = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            synchronized (FakePipe.this) {
                while (size == 0 && !writerClosed && !readerClosed) {
                    waitInterruptibly();
                }
                if (readerClosed) {
                    throw new IOException("Stream closed");
                }
                if (size == 0) {
                    return -1;
                }
                int n = Math.min(len, size);
                for (int i = 0; i < n; i++) {
                    b[off + i] = buffer[(head + i) % CAPACITY];
                }
                head = (head + n) % CAPACITY;
                size -= n;
                FakePipe.this.notifyAll();
                return n;
            }
        }

        @Override
        public void close() {
            closeReader();
        }
    };

    private final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int done = 0;
            synchronized (FakePipe.this) {
                while (done < len) {
                    while (size == CAPACITY && !readerClosed && !writerClosed) {
                        waitInterruptibly();
                    }
                    if (readerClosed) {
                        throw new IOException("Broken pipe");
                    }
                    if (writerClosed) {
                        throw new IOException("Stream closed");
                    }
                    int n = Math.min(len - done, CAPACITY - size);
                    for (int i = 0; i < n; i++) {
                        buffer[(head + size + i) % CAPACITY] = b[off + done + i];
                    }
                    size += n;
                    done += n;
                    FakePipe.this.notifyAll();
                }
            }
        }

        @Override
        public void close() {
            closeWriter();
        }
    };

    private void waitInterruptibly() throws IOException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    InputStream in() {
        return in;
    }

    OutputStream out() {
        return out;
    }

    synchronized void closeReader() {
        readerClosed = true;
        notifyAll();
    }

    synchronized void closeWriter() {
        writerClosed = true;
        notifyAll();
    }
}
