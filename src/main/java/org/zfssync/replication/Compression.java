package org.zfssync.replication;

import java.util.Optional;
import org.zfssync.host.Command;
import org.zfssync.host.Helper;
import org.zfssync.zfs.SendFlags;

/**
 * Compresses the stream for the network hop and decompresses it before {@code zfs receive}.
 * Skipped for raw and compressed ({@code -w}, {@code -c}) streams: their blocks are already
 * compressed (or encrypted), so a second pass costs CPU and gains nothing.
 *
 * @param tool  zstd or lz4
 * @param level zstd's level (1 to 19); lz4 has only its default, 1
 */
public record Compression(Helper tool, int level) implements StreamStage {
    /** zstd's own default: keeps up with a gigabit link on one core of a recent CPU. */
    public static final int ZSTD_DEFAULT = 3;

    public Compression {
        if (tool != Helper.ZSTD && tool != Helper.LZ4) {
            throw new IllegalArgumentException("not a compressor: " + tool);
        }
        if (tool == Helper.LZ4 ? level != 1 : level < 1 || level > 19) {
            throw new IllegalArgumentException("no level " + level + " for " + tool.program());
        }
    }

    /** The tool at its default level (zstd -3, lz4 -1). */
    public Compression(Helper tool) {
        this(tool, tool == Helper.ZSTD ? ZSTD_DEFAULT : 1);
    }

    public static Compression lz4() {
        return new Compression(Helper.LZ4, 1);
    }

    public static Compression zstd(int level) {
        return new Compression(Helper.ZSTD, level);
    }

    /** As the log names it: {@code lz4}, {@code zstd-1}, {@code zstd-3}. */
    public String label() {
        return tool == Helper.LZ4 ? "lz4" : "zstd-" + level;
    }

    @Override
    public boolean appliesTo(SendFlags flags) {
        return !flags.raw() && !flags.compressed();
    }

    @Override
    public Optional<Command> sending() {
        return Optional.of(tool == Helper.ZSTD ? Command.reading("zstd", "-q", "-c", "-" + level)
                : Command.reading("lz4", "-q", "-c"));
    }

    @Override
    public Optional<Command> receiving() {
        return Optional.of(tool == Helper.ZSTD ? Command.reading("zstd", "-q", "-d", "-c")
                : Command.reading("lz4", "-q", "-d", "-c"));
    }
}
