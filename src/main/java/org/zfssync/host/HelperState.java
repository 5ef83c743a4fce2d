package org.zfssync.host;

/** What probing a helper on a host found. */
public record HelperState(Helper helper, Status status, String detail) {
    /** Works, is not installed, or is installed but failed the probe. */
    public enum Status {
        OK, MISSING, BROKEN
    }

    public boolean ok() {
        return status == Status.OK;
    }
}
