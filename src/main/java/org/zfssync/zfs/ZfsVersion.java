package org.zfssync.zfs;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The OpenZFS userland version a host runs, read once per host from {@code zfs version}. */
public record ZfsVersion(int major, int minor, int patch, String text) implements Comparable<ZfsVersion> {
    private static final Pattern VERSION = Pattern.compile("^zfs-(\\d+)\\.(\\d+)\\.(\\d+)(\\S*)", Pattern.MULTILINE);

    /** Parses the first line of {@code zfs version}, e.g. {@code zfs-2.1.11-1+deb12u1}. */
    public static ZfsVersion parse(String output) {
        Matcher m = VERSION.matcher(output);
        if (!m.find()) {
            throw new IllegalArgumentException("unrecognised `zfs version` output: " + output.strip());
        }
        return new ZfsVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), m.group(0).substring(4));
    }

    public boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }

    @Override
    public int compareTo(ZfsVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return text;
    }
}
