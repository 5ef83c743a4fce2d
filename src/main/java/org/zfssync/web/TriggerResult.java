package org.zfssync.web;

import java.util.Locale;

/** The daemon's answer to a trigger, and the HTTP status the API answers with. */
public enum TriggerResult {
    /** The run is queued: 202 Accepted. */
    ACCEPTED(202),
    /** No job of that name in the config: 404. */
    UNKNOWN_JOB(404),
    /** A run of the job is already in progress (or queued): 409 Conflict. */
    ALREADY_RUNNING(409);

    private final int httpStatus;

    TriggerResult(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The lower-case name the JSON API uses ({@code "accepted"}, {@code "unknown_job"}, {@code "already_running"}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
