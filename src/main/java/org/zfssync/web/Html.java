package org.zfssync.web;

/** HTML escaping: every value the page shows passes through {@link #text}, in text and in attributes alike. */
final class Html {
    private Html() {
    }

    /** {@code s} with the five characters that matter in text and quoted attributes replaced by entities. */
    static String text(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
