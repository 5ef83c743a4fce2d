package org.zfssync.replication;

import java.util.Optional;
import org.zfssync.host.Command;
import org.zfssync.host.Helper;
import org.zfssync.zfs.SendFlags;

/**
 * Compresses the stream for the network hop and decompresses it before {@code zfs receive}.
 * Skipped for raw and compressed ({@code -w}, {@code -c}) streams: their blocks are already
 * compressed (or encrypted), so a second pass costs CPU and gains nothing.
 */
public record Compression(Helper tool) implements StreamStage {
    public Compression {
        if (tool != Helper.ZSTD && tool != Helper.LZ4) {
            throw new IllegalArgumentException("not a compressor: " + tool);
        }
    }

    @Override
    public boolean appliesTo(SendFlags flags) {
        return !flags.raw() && !flags.compressed();
    }

    @Override
    public Optional<Command> sending() {
        // zstd -3 (its default) keeps up with a gigabit link on one core; lz4 is cheaper still.
        return Optional.of(tool == Helper.ZSTD ? Command.reading("zstd", "-q", "-c", "-3")
                : Command.reading("lz4", "-q", "-c"));
    }

    @Override
    public Optional<Command> receiving() {
        return Optional.of(tool == Helper.ZSTD ? Command.reading("zstd", "-q", "-d", "-c")
                : Command.reading("lz4", "-q", "-d", "-c"));
    }
}
