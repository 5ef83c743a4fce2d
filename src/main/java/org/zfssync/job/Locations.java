package org.zfssync.job;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each value of a YAML document starts, by JSON pointer ({@code /jobs/1/source}), so a
 * problem found after parsing still points at its line and column.
 */
final class Locations {
    private final Map<String, JsonLocation> byPointer = new HashMap<>();

    static Locations of(String yaml) throws IOException {
        Locations l = new Locations();
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            Deque<Object> path = new ArrayDeque<>(); // String field names, int[] array indexes
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    path.push(p.currentName());
                    continue;
                }
                if (!path.isEmpty() && path.peek() instanceof int[] index) {
                    if (t != JsonToken.END_ARRAY && t != JsonToken.END_OBJECT) {
                        index[0]++;
                    }
                }
                if (t != JsonToken.END_ARRAY && t != JsonToken.END_OBJECT) {
                    l.byPointer.putIfAbsent(pointer(path), p.currentTokenLocation());
                }
                if (t == JsonToken.START_ARRAY) {
                    path.push(new int[] {-1});
                } else if (t == JsonToken.END_ARRAY) {
                    path.pop();
                    popField(path);
                } else if (t == JsonToken.END_OBJECT) {
                    popField(path);
                } else if (t != JsonToken.START_OBJECT) {
                    popField(path);
                }
            }
        }
        return l;
    }

    private static void popField(Deque<Object> path) {
        if (!path.isEmpty() && path.peek() instanceof String) {
            path.pop();
        }
    }

    private static String pointer(Deque<Object> path) {
        StringBuilder s = new StringBuilder();
        path.descendingIterator().forEachRemaining(o -> s.append('/').append(o instanceof int[] i ? i[0] : o));
        return s.toString();
    }

    /** "line L, column C" of the value at {@code pointer}, or of its nearest located ancestor. */
    String describe(String pointer) {
        String p = pointer;
        while (true) {
            JsonLocation loc = byPointer.get(p);
            if (loc != null) {
                return "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            }
            if (p.isEmpty()) {
                return "line 1, column 1";
            }
            p = p.substring(0, Math.max(0, p.lastIndexOf('/')));
        }
    }

    int line(String pointer) {
        JsonLocation loc = byPointer.get(pointer);
        return loc == null ? 0 : loc.getLineNr();
    }
}
