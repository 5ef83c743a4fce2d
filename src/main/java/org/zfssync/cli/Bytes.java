package org.zfssync.cli;

import org.zfssync.web.Units;

/** Byte counts for people. */
final class Bytes {
    private Bytes() {
    }

    static String human(long bytes) {
        return Units.bytes(bytes);
    }
}
