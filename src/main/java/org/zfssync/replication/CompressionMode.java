package org.zfssync.replication;

import java.util.List;
import org.zfssync.host.Helper;

/** {@code --compress}: which compressor to wrap around network hops. */
public enum CompressionMode {
    /**
     * zstd where both ends have it, else lz4, else none, without measuring: the default, which
     * costs a run nothing (a measurement takes seconds: see {@link #AUTO}).
     */
    DEFAULT(List.of(Helper.ZSTD, Helper.LZ4)),
    /**
     * Measured once per run ({@link CompressionProbe}): none, lz4 or a zstd level, whichever runs
     * the pipeline fastest; the default's preference when it cannot measure.
     */
    AUTO(List.of(Helper.ZSTD, Helper.LZ4)),
    ZSTD(List.of(Helper.ZSTD)),
    LZ4(List.of(Helper.LZ4)),
    NONE(List.of());

    private final List<Helper> candidates;

    CompressionMode(List<Helper> candidates) {
        this.candidates = candidates;
    }

    /** The compressors this mode may use, in order of preference. */
    public List<Helper> candidates() {
        return candidates;
    }

    /** A mode the user named: a missing compressor is then an error, not a fallback. */
    public boolean explicit() {
        return this == ZSTD || this == LZ4;
    }
}
