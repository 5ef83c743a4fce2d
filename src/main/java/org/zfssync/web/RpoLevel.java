package org.zfssync.web;

import java.util.Comparator;
import java.util.Locale;

/** How a target's RPO compares with its job's {@code rpo-warn} and {@code rpo-critical}. */
public enum RpoLevel {
    /** Below rpo-warn. */
    OK,
    /** At least rpo-warn, below rpo-critical. */
    WARN,
    /** At least rpo-critical. */
    CRITICAL,
    /** The target has never received anything zfs-sync knows of: no RPO to judge. */
    UNKNOWN;

    /**
     * Worst first when sorted descending: CRITICAL, then UNKNOWN (a target never replicated is a worry,
     * though not a measured one), then WARN, then OK.
     */
    static final Comparator<RpoLevel> BY_SEVERITY = Comparator.comparingInt(RpoLevel::severity);

    private int severity() {
        return switch (this) {
            case OK -> 0;
            case WARN -> 1;
            case UNKNOWN -> 2;
            case CRITICAL -> 3;
        };
    }

    /** The lower-case name the page's CSS classes, {@code data-level} attributes and the JSON API use. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
