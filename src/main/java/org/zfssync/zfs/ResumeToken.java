package org.zfssync.zfs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A {@code receive_resume_token}, decoded here so a stale token is recognised without asking the
 * source: the token is {@code <version>-<checksum>-<length>-<hex of zlib(packed nvlist)>}, the
 * nvlist in OpenZFS's native encoding with {@code toguid}, {@code toname}, {@code fromguid} (for
 * incrementals), {@code bytes} received so far, and flags such as {@code rawok}.
 *
 * @param fromGuid 0 for a full send
 */
public record ResumeToken(String text, long toGuid, String toName, long fromGuid, long bytes, boolean raw,
                          boolean compressed, boolean largeBlock, boolean embed) {
    private static final int TYPE_UINT64 = 8;
    private static final int TYPE_STRING = 9;
    private static final int MAX_PAYLOAD = 1 << 20;

    /** The token could not be read; the message says why. */
    public static final class InvalidTokenException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidTokenException(String message) {
            super(message);
        }
    }

    public static ResumeToken decode(String text) {
        String[] parts = text.strip().split("-", 4);
        if (parts.length != 4 || !parts[0].equals("1")) {
            throw new InvalidTokenException("not a version 1 resume token: " + abbreviate(text));
        }
        int length;
        byte[] compressed;
        try {
            length = Integer.parseInt(parts[2], 16);
            compressed = HexFormat.of().parseHex(parts[3]);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("corrupt resume token (" + e.getMessage() + "): " + abbreviate(text));
        }
        if (length <= 0 || length > MAX_PAYLOAD) {
            throw new InvalidTokenException("resume token payload length " + length + " out of range");
        }
        return parse(text, inflate(compressed, length));
    }

    private static byte[] inflate(byte[] compressed, int length) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            ByteArrayOutputStream out = new ByteArrayOutputStream(length);
            byte[] buffer = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new InvalidTokenException("truncated resume token");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new InvalidTokenException("resume token does not decompress: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    /** Native nvlist: 4-byte header (encoding, endianness), version and flags, then sized pairs. */
    private static ResumeToken parse(String text, byte[] packed) {
        if (packed.length < 12 || packed[0] != 0) {
            throw new InvalidTokenException("resume token is not a native-encoded nvlist");
        }
        ByteBuffer b = ByteBuffer.wrap(packed).order(packed[1] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        long toGuid = 0;
        long fromGuid = 0;
        long bytes = 0;
        String toName = null;
        boolean raw = false;
        boolean compressed = false;
        boolean largeBlock = false;
        boolean embed = false;
        int pos = 12;
        while (pos + 16 <= packed.length) {
            int size = b.getInt(pos);
            if (size == 0) {
                break;
            }
            if (size < 16 || pos + size > packed.length) {
                throw new InvalidTokenException("corrupt nvlist pair in resume token");
            }
            int nameSize = b.getShort(pos + 4);
            int type = b.getInt(pos + 12);
            String name = new String(packed, pos + 16, Math.max(0, nameSize - 1), StandardCharsets.UTF_8);
            int value = pos + ((16 + nameSize + 7) & ~7);
            switch (name) {
                case "toguid" -> toGuid = uint64(b, type, value);
                case "fromguid" -> fromGuid = uint64(b, type, value);
                case "bytes" -> bytes = uint64(b, type, value);
                case "toname" -> toName = string(packed, type, value, pos + size);
                case "rawok" -> raw = true;
                case "compressok" -> compressed = true;
                case "largeblockok" -> largeBlock = true;
                case "embedok" -> embed = true;
                default -> {
                    // object, offset, … and fields of newer versions: not needed to judge a token.
                }
            }
            pos += size;
        }
        if (toGuid == 0 || toName == null) {
            throw new InvalidTokenException("resume token lacks toguid or toname");
        }
        return new ResumeToken(text, toGuid, toName, fromGuid, bytes, raw, compressed, largeBlock, embed);
    }

    private static long uint64(ByteBuffer b, int type, int at) {
        if (type != TYPE_UINT64) {
            throw new InvalidTokenException("resume token field of type " + type + " where uint64 was expected");
        }
        return b.getLong(at);
    }

    private static String string(byte[] packed, int type, int at, int end) {
        if (type != TYPE_STRING) {
            throw new InvalidTokenException("resume token field of type " + type + " where a string was expected");
        }
        int nul = at;
        while (nul < end && packed[nul] != 0) {
            nul++;
        }
        return new String(packed, at, nul - at, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    /** The short name of the snapshot being received. */
    public String toSnapshotName() {
        return toName.substring(toName.indexOf('@') + 1);
    }

    @Override
    public String toString() {
        return "resume of " + toName + " (" + bytes + " bytes received" + (raw ? ", raw" : "") + ")";
    }
}
