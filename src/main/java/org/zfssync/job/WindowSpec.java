package org.zfssync.job;

/**
 * One entry of a job's {@code windows:} as written: on {@code days} ({@code mon-fri}, {@code sat,sun},
 * absent for every day), from {@code from} to {@code to} ({@code "08:00"}, {@code "22:00"} to
 * {@code "06:00"} runs overnight; absent for the whole day), in the job's timezone. {@code replicate}
 * false forbids starting a replication there; {@code bwlimit} caps running transfers there.
 */
public record WindowSpec(String days, String from, String to, String bwlimit, Boolean replicate) {
}
