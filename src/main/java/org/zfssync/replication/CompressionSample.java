package org.zfssync.replication;

import java.util.List;

/**
 * What {@code --compress auto} measured once per run: how fast the source sends, how fast the
 * link carries bytes as the run's transport will carry them, and for each compressor the ratio it
 * reached on a sample of the source's data, how fast it packs on the source and unpacks on the
 * target. Every rate is in bytes per second of <em>uncompressed</em> data, except the link's,
 * which is bytes on the wire.
 *
 * @param sendRate {@code zfs send} on the source
 * @param linkRate bytes per second through the transport, from the source's end to the target's
 * @param codecs   the compressors both ends have, measured
 */
public record CompressionSample(double sendRate, double linkRate, List<Codec> codecs) {
    public CompressionSample {
        positive("send rate", sendRate);
        positive("link rate", linkRate);
        codecs = List.copyOf(codecs);
    }

    /**
     * One compressor's figures.
     *
     * @param ratio      uncompressed bytes per compressed byte (below 1 when the data does not compress)
     * @param packRate   compressing on the source
     * @param unpackRate decompressing on the target
     */
    public record Codec(Compression compression, double ratio, double packRate, double unpackRate) {
        public Codec {
            positive(compression.label() + " ratio", ratio);
            positive(compression.label() + " rate", packRate);
            positive(compression.label() + " decompression rate", unpackRate);
        }
    }

    private static void positive(String what, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be a positive number, got " + value);
        }
    }
}
