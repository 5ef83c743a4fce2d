package org.zfssync.replication;

/** The request cannot be planned at all (e.g. the source does not exist): a usage error. */
public final class PlanningException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PlanningException(String message) {
        super(message);
    }
}
