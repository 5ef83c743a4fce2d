package org.zfssync.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.Deflater;

/**
 * Builds {@code receive_resume_token}s in OpenZFS's own format, byte for byte: a native
 * little-endian nvlist ({@code fromguid} when incremental, {@code object}, {@code offset},
 * {@code bytes}, {@code toguid}, {@code toname}, then the boolean flags), zlib-compressed, as
 * {@code 1-<fletcher4 word 0 of the compressed bytes>-<packed length>-<hex>}. Rebuilding
 * {@link Tokens#FULL_S1} from its fields gives the captured text exactly (see FakeZfsHostTest).
 */
public final class FakeTokens {
    private static final int TYPE_BOOLEAN = 1;
    private static final int TYPE_UINT64 = 8;
    private static final int TYPE_STRING = 9;

    private FakeTokens() {
    }

    /** A token as a receive cut after {@code bytes} bytes of the stream of {@code toName} leaves it. */
    public static String token(long toGuid, String toName, long fromGuid, long bytes, boolean raw, boolean compressed,
                               boolean largeBlock, boolean embed) {
        // object/offset: where in the stream the receive stopped; any plausible values do.
        return token(toGuid, toName, fromGuid, 2, bytes, bytes, raw, compressed, largeBlock, embed);
    }

    public static String token(long toGuid, String toName, long fromGuid, long object, long offset, long bytes,
                               boolean raw, boolean compressed, boolean largeBlock, boolean embed) {
        Nvlist nv = new Nvlist();
        if (fromGuid != 0) {
            nv.uint64("fromguid", fromGuid);
        }
        nv.uint64("object", object);
        nv.uint64("offset", offset);
        nv.uint64("bytes", bytes);
        nv.uint64("toguid", toGuid);
        nv.string("toname", toName);
        if (largeBlock) {
            nv.flag("largeblockok");
        }
        if (embed) {
            nv.flag("embedok");
        }
        if (compressed) {
            nv.flag("compressok");
        }
        if (raw) {
            nv.flag("rawok");
        }
        byte[] packed = nv.pack();
        Deflater deflater = new Deflater();
        deflater.setInput(packed);
        deflater.finish();
        byte[] buffer = new byte[packed.length * 2 + 64];
        int n = deflater.deflate(buffer);
        deflater.end();
        byte[] compressedBytes = Arrays.copyOf(buffer, n);
        return "1-" + Long.toHexString(fletcher4Word0(compressedBytes)) + "-" + Integer.toHexString(packed.length) + "-"
                + HexFormat.of().formatHex(compressedBytes);
    }

    /** The first word of fletcher-4: the sum of the little-endian 32-bit words. */
    private static long fletcher4Word0(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long a = 0;
        for (int i = 0; i + 4 <= data.length; i += 4) {
            a += b.getInt(i) & 0xffffffffL;
        }
        return a;
    }

    /** A native-encoded nvlist of version 0 with NV_UNIQUE_NAME. */
    private static final class Nvlist {
        private final ByteArrayOutputStream pairs = new ByteArrayOutputStream();

        void uint64(String name, long value) {
            ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
            pair(name, TYPE_UINT64, 1, v.array());
        }

        void string(String name, String value) {
            byte[] s = value.getBytes(StandardCharsets.UTF_8);
            pair(name, TYPE_STRING, 1, Arrays.copyOf(s, s.length + 1));
        }

        void flag(String name) {
            pair(name, TYPE_BOOLEAN, 0, new byte[0]);
        }

        private void pair(String name, int type, int elements, byte[] value) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            int nameSize = n.length + 1;
            int valueAt = align8(16 + nameSize);
            int size = align8(valueAt + value.length);
            ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(size).putShort((short) nameSize).putShort((short) 0).putInt(elements).putInt(type);
            b.put(n);
            b.position(valueAt);
            b.put(value);
            pairs.writeBytes(b.array());
        }

        byte[] pack() {
            ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            header.put((byte) 0).put((byte) 1).put((byte) 0).put((byte) 0).putInt(0).putInt(1);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(header.array());
            all.writeBytes(pairs.toByteArray());
            all.writeBytes(new byte[4]);
            return all.toByteArray();
        }

        private static int align8(int n) {
            return (n + 7) & ~7;
        }
    }
}
