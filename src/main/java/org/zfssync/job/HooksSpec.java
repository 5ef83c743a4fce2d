package org.zfssync.job;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.List;

/**
 * A job's {@code hooks:} as written: each a shell command or a list of them, run in turn with
 * {@code /bin/sh -c}; {@code timeout} ({@code 5m}) bounds each command.
 */
public record HooksSpec(
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> preSnapshot,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> postSnapshot,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> preReplicate,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> postReplicate,
        String timeout) {
}
