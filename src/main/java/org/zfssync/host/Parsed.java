package org.zfssync.host;

/**
 * A command's result and, when it succeeded, what its stdout parsed into (null otherwise: a
 * failed command's output is not trusted as data).
 */
public record Parsed<T>(CommandResult result, T value) {
}
