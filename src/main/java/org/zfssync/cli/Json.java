package org.zfssync.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.time.Instant;

/** The JSON the commands print: indented, times as ISO-8601 UTC strings, null where unknown. */
final class Json {
    private Json() {
    }

    static String write(Object value) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
