package org.zfssync.replication;

import java.util.Locale;

/** One line of transfer progress: bytes, rate, and, with a size estimate, a bar, percentage and ETA. Pure. */
final class ProgressLine {
    private static final int BAR = 20;

    private ProgressLine() {
    }

    /**
     * @param estimate expected stream size in bytes, or a negative number when unknown
     * @param seconds  time since the stream started
     */
    static String format(String label, long bytes, long estimate, double seconds) {
        double rate = seconds > 0 ? bytes / seconds : 0;
        StringBuilder line = new StringBuilder(label).append("  ");
        if (estimate > 0) {
            double fraction = Math.min(1.0, (double) bytes / estimate);
            int filled = (int) Math.round(fraction * BAR);
            line.append('[').append("#".repeat(filled)).append(" ".repeat(BAR - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d%%  ", Math.round(fraction * 100)))
                    .append(size(bytes)).append(" / ").append(size(estimate));
        } else {
            line.append(size(bytes));
        }
        line.append("  ").append(size((long) rate)).append("/s");
        if (estimate > 0 && rate > 0) {
            long left = Math.max(0, (long) Math.ceil((estimate - bytes) / rate));
            line.append(String.format(Locale.ROOT, "  ETA %d:%02d", left / 60, left % 60));
        }
        return line.toString();
    }

    /** Bytes in binary units, as zfs prints them. */
    static String size(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
