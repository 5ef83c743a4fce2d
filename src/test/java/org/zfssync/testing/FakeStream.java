package org.zfssync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The fake's send stream: per snapshot a one-line header ({@link Record}) followed by its payload,
 * then an end line. The payload is a pattern derived from the snapshot's GUID and the offset, so
 * a receiver notices bytes lost or reordered on the way ("checksum mismatch"), and a resumed
 * stream continues the same pattern from the offset in its token.
 */
final class FakeStream {
    static final String MAGIC = "FAKEZFS";
    static final byte[] END = (MAGIC + " END\n").getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HEADER = 4096;

    private FakeStream() {
    }

    /**
     * One snapshot in a stream.
     *
     * @param toName   the snapshot's full name on the sending side
     * @param fromGuid the incremental source, 0 for a full stream
     * @param size     the snapshot's whole payload in bytes
     * @param offset   where this stream's payload starts (a resumed stream: the token's bytes)
     * @param resume   the stream was made from a resume token ({@code zfs send -t})
     * @param encrypted the sending dataset is encrypted (a raw stream keeps it so)
     */
    record Record(String toName, long toGuid, long creation, long written, long fromGuid, long size, long offset,
                  boolean raw, boolean encrypted, boolean compressed, boolean largeBlock, boolean embed,
                  boolean resume) {
        String shortName() {
            return toName.substring(toName.indexOf('@') + 1);
        }

        long remaining() {
            return size - offset;
        }

        byte[] header() {
            String flags = (raw ? "w" : "") + (compressed ? "c" : "") + (largeBlock ? "L" : "") + (embed ? "e" : "")
                    + (encrypted ? "E" : "") + (resume ? "t" : "");
            String line = MAGIC + " BEGIN toname=" + toName + " toguid=" + Long.toUnsignedString(toGuid) + " creation="
                    + creation + " written=" + written + " fromguid=" + Long.toUnsignedString(fromGuid) + " size=" + size
                    + " offset=" + offset + " flags=" + (flags.isEmpty() ? "-" : flags) + "\n";
            return line.getBytes(StandardCharsets.US_ASCII);
        }

        /** Bytes this record takes in a stream. */
        long length() {
            return header().length + remaining();
        }

        static Record parse(String line) {
            String[] parts = line.split(" ");
            if (parts.length < 2 || !parts[0].equals(MAGIC) || !parts[1].equals("BEGIN")) {
                throw new IllegalArgumentException("invalid stream (bad magic number)");
            }
            Map<String, String> f = new HashMap<>();
            for (int i = 2; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("invalid stream (bad header field " + parts[i] + ")");
                }
                f.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
            String flags = f.getOrDefault("flags", "-");
            return new Record(f.get("toname"), Long.parseUnsignedLong(f.get("toguid")), Long.parseLong(f.get("creation")),
                    Long.parseLong(f.get("written")), Long.parseUnsignedLong(f.get("fromguid")),
                    Long.parseLong(f.get("size")), Long.parseLong(f.get("offset")), flags.contains("w"),
                    flags.contains("E"), flags.contains("c"), flags.contains("L"), flags.contains("e"),
                    flags.contains("t"));
        }
    }

    /** The payload byte at {@code offset} of the snapshot with this GUID. */
    static byte payload(long guid, long offset) {
        return (byte) ((guid >>> ((offset & 7) * 8)) + offset * 7);
    }

    static void writePayload(OutputStream out, long guid, long from, long to) throws IOException {
        byte[] chunk = new byte[16 * 1024];
        long at = from;
        while (at < to) {
            int n = (int) Math.min(chunk.length, to - at);
            for (int i = 0; i < n; i++) {
                chunk[i] = payload(guid, at + i);
            }
            out.write(chunk, 0, n);
            at += n;
        }
    }

    /**
     * Reads one header line; null at a clean end of input (nothing read). A line cut short
     * reads as the end of input too: without a whole header nothing of that snapshot exists.
     */
    static String readLine(InputStream in, long[] counter) throws IOException {
        StringBuilder line = new StringBuilder();
        while (line.length() < MAX_HEADER) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            counter[0]++;
            if (b == '\n') {
                return line.toString();
            }
            line.append((char) b);
        }
        throw new IOException("invalid stream (header too long)");
    }
}
