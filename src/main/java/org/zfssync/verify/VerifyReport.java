package org.zfssync.verify;

import java.util.List;

/**
 * A whole verify: one verdict per source dataset, and the target datasets the source does not have.
 *
 * @param deep whether content was checked
 */
public record VerifyReport(String source, String target, boolean deep, List<Verdict> datasets,
                           List<String> targetOnly) {
    /** Exit 0: every dataset equal; 1: a difference anywhere (it needs a person); 3: something not checked. */
    public static final int EQUAL = 0;
    public static final int DIFFERENT = 1;
    public static final int UNCHECKED = 3;

    public VerifyReport {
        datasets = List.copyOf(datasets);
        targetOnly = List.copyOf(targetOnly);
    }

    /** A proven difference wins over a dataset that could not be checked. */
    public int exitCode() {
        if (datasets.stream().anyMatch(d -> d.status() == Verdict.Status.DIFFERENT)) {
            return DIFFERENT;
        }
        return datasets.stream().anyMatch(d -> d.status() == Verdict.Status.UNCHECKED) ? UNCHECKED : EQUAL;
    }

    public String result() {
        return switch (exitCode()) {
            case EQUAL -> "equal";
            case DIFFERENT -> "different";
            default -> "unchecked";
        };
    }

    public long count(Verdict.Status status) {
        return datasets.stream().filter(d -> d.status() == status).count();
    }
}
