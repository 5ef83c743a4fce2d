package org.zfssync.replication;

import java.util.regex.Pattern;

/**
 * A dataset glob: {@code *} matches within one path component, {@code **} across components,
 * {@code ?} one character. A glob matches a dataset when it matches its full name or its path
 * below the replication root, so {@code --exclude '*\/cache'} and {@code --exclude tank/vm/*}
 * both read naturally.
 */
public record Glob(String text, Pattern pattern) {
    public static Glob of(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("empty exclude pattern");
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new Glob(text, Pattern.compile(regex.toString()));
    }

    public boolean matches(String fullName, String relativePath) {
        return pattern.matcher(fullName).matches() || (!relativePath.isEmpty() && pattern.matcher(relativePath).matches());
    }
}
