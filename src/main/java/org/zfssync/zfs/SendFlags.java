package org.zfssync.zfs;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code zfs send} flags zfs-sync exposes: raw {@code -w} (keeps encrypted data encrypted),
 * compressed {@code -c}, large blocks {@code -L}, embedded data {@code -e}, properties {@code -p}.
 */
public record SendFlags(boolean raw, boolean compressed, boolean largeBlock, boolean embed, boolean properties) {
    public static SendFlags none() {
        return new SendFlags(false, false, false, false, false);
    }

    public SendFlags withRaw(boolean value) {
        return new SendFlags(value, compressed, largeBlock, embed, properties);
    }

    List<String> argv() {
        List<String> argv = new ArrayList<>();
        if (raw) {
            argv.add("-w");
        }
        if (compressed) {
            argv.add("-c");
        }
        if (largeBlock) {
            argv.add("-L");
        }
        if (embed) {
            argv.add("-e");
        }
        if (properties) {
            argv.add("-p");
        }
        return argv;
    }
}
