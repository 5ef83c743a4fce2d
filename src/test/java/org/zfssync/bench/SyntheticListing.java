package org.zfssync.bench;

import java.io.Reader;

/**
 * A {@code zfs list -H -p} listing of {@code datasets} × {@code snapshots}, generated as it is read
 * (as it would stream from a pipe), never held whole. Source and target share GUIDs; the target is
 * one snapshot behind on every hundredth dataset and some source datasets have new writes.
 */
final class SyntheticListing extends Reader {
    private final String root;
    private final int datasets;
    private final int snapshots;
    private final boolean target;
    private final StringBuilder chunk = new StringBuilder(64 * 1024);
    /** Made once: the benchmark measures parsing what a pipe delivers, not formatting it. */
    private final String[] snapshotNames;
    private int next;
    private int pos;

    SyntheticListing(String root, int datasets, int snapshots, boolean target) {
        this.root = root;
        this.datasets = datasets;
        this.snapshots = snapshots;
        this.target = target;
        this.snapshotNames = new String[snapshots];
        for (int s = 0; s < snapshots; s++) {
            snapshotNames[s] = s % 2 == 0 ? "zfs-sync_nas-abc123_2026" + String.format("%04d", s) + "T000000Z"
                    : "autosnap_2026-11-24_" + s + "_hourly";
        }
    }

    private boolean refill() {
        chunk.setLength(0);
        pos = 0;
        if (next > datasets) {
            return false;
        }
        int d = next++;
        String name = d == 0 ? root : root + "/g" + (d % 100) + "/d" + d;
        if (d > 0 && d < 101) {
            // The group datasets g0..g99 appear as parents.
            line(root + "/g" + (d - 1), "filesystem", 1_000_000L + d, 2, 0);
        }
        long written = !target && d % 50 == 0 ? 4096 : 0;
        line(name, "filesystem", 10_000_000L + d, 3, written);
        int count = target && d % 100 == 0 ? snapshots - 1 : snapshots;
        for (int s = 0; s < count; s++) {
            chunk.append(name).append('@').append(snapshotNames[s]).append("\tsnapshot\t").append(7_000_000_000L * (d + 1) + s)
                    .append('\t').append(100 + s).append('\t').append(1_700_000_000L + s * 3600L)
                    .append("\t0\toff\t-\t0\n");
        }
        return true;
    }

    private void line(String name, String type, long guid, long txg, long written) {
        chunk.append(name).append('\t').append(type).append('\t').append(guid).append('\t').append(txg)
                .append("\t1700000000\t").append(written).append("\toff\t-\t-\n");
    }

    @Override
    public int read(char[] buffer, int offset, int length) {
        while (pos >= chunk.length()) {
            if (!refill()) {
                return -1;
            }
        }
        int n = Math.min(length, chunk.length() - pos);
        chunk.getChars(pos, pos + n, buffer, offset);
        pos += n;
        return n;
    }

    @Override
    public void close() {
        // Nothing to release.
    }
}
