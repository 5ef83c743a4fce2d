package org.zfssync.job;

/** Retention per side; either may be absent (keep everything on that side). */
public record Retentions(RetentionSpec source, RetentionSpec target) {
}
