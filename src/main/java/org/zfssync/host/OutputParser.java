package org.zfssync.host;

import java.io.BufferedReader;
import java.io.IOException;

/** Parses a command's stdout as it streams, so a million-line listing is never held as one string. */
@FunctionalInterface
public interface OutputParser<T> {
    T parse(BufferedReader stdout) throws IOException;
}
