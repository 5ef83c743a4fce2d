package org.zfssync.web;

import java.time.Duration;
import java.util.Locale;

/** Byte counts, rates and durations for people. */
public final class Units {
    private Units() {
    }

    /** {@code 512 B}, {@code 1.5 KiB}, {@code 3.2 GiB}. */
    public static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String units = "KMGTPE";
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length() - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %siB", value, units.charAt(unit));
    }

    /** {@code 12.0 MiB/s}. */
    public static String rate(double bytesPerSecond) {
        return bytes(Math.round(bytesPerSecond)) + "/s";
    }

    /** The two largest units: {@code 45s}, {@code 3m 20s}, {@code 2h 05m}, {@code 3d 4h}. */
    public static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        if (s < 86400) {
            return String.format(Locale.ROOT, "%dh %02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd %dh", s / 86400, s % 86400 / 3600);
    }
}
