package org.zfssync.verify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Pure: the content of one file tree as {@link DeepCheck#TREE_SCRIPT} prints it on a host, one
 * entry per path (type, mode, owner, size, and the SHA-256 of a file's content or a link's
 * target), and the comparison of two such trees in path order, so the first differing path is
 * named. The script's output is NUL-separated records in sections: metadata ({@code find -printf}),
 * {@code #L} then link name/target pairs, {@code #H} then {@code sha256sum -z} lines, and {@code #E}
 * last, so an output cut short is never taken for a smaller tree.
 */
public final class ContentListing {
    /** Differences named one by one; beyond this they are counted. */
    static final int SHOWN = 20;

    /** One path: its metadata, and the content hash of a file or the target of a link. */
    public record Entry(String type, String mode, String owner, long size, String content) {
        String describe() {
            return type + " " + mode + " " + owner + " " + size + (content == null ? "" : " " + content);
        }
    }

    private ContentListing() {
    }

    /** The entries of a tree by path ({@code .} is the root), from the script's output. */
    public static SortedMap<String, Entry> parse(String output) {
        String[] records = output.split("\0", -1);
        SortedMap<String, String[]> meta = new TreeMap<>();
        Map<String, String> content = new TreeMap<>();
        String section = "M";
        boolean complete = false;
        for (int i = 0; i < records.length; i++) {
            String r = records[i];
            if (r.equals("#L") || r.equals("#H")) {
                section = r.substring(1);
                continue;
            }
            if (r.equals("#E")) {
                complete = true;
                break;
            }
            if (r.isEmpty()) {
                continue;
            }
            switch (section) {
                case "M" -> {
                    String[] f = r.split(" ", 6);
                    if (f.length != 6) {
                        throw new IllegalArgumentException("unreadable tree listing line: " + r);
                    }
                    meta.put(path(f[5]), f);
                }
                case "L" -> {
                    if (i + 1 >= records.length) {
                        throw new IllegalArgumentException("link without a target: " + r);
                    }
                    content.put(path(r), "-> " + records[++i]);
                }
                default -> {
                    if (r.length() < 67 || r.charAt(64) != ' ' || r.charAt(65) != ' ') {
                        throw new IllegalArgumentException("unreadable sha256sum line: " + r);
                    }
                    content.put(path(r.substring(66)), r.substring(0, 64));
                }
            }
        }
        if (!complete) {
            throw new IllegalArgumentException("the tree listing ended early (no end mark)");
        }
        SortedMap<String, Entry> entries = new TreeMap<>();
        meta.forEach((p, f) -> entries.put(p, new Entry(f[0], f[1], f[2] + ":" + f[3],
                f[0].equals("d") ? 0 : Long.parseLong(f[4]), content.get(p))));
        return entries;
    }

    /** {@code ./a/b} and {@code a/b} are the same path; the root is {@code .}. */
    private static String path(String p) {
        String s = p.startsWith("./") ? p.substring(2) : p;
        return s.isEmpty() ? "." : s;
    }

    /** Each differing path, in path order (so the first is the first one named), at most {@link #SHOWN} then a count. */
    public static List<String> differences(SortedMap<String, Entry> source, SortedMap<String, Entry> target) {
        List<String> out = new ArrayList<>();
        int more = 0;
        Iterator<Map.Entry<String, Entry>> a = source.entrySet().iterator();
        Iterator<Map.Entry<String, Entry>> b = target.entrySet().iterator();
        Map.Entry<String, Entry> x = a.hasNext() ? a.next() : null;
        Map.Entry<String, Entry> y = b.hasNext() ? b.next() : null;
        while (x != null || y != null) {
            String line;
            int order = x == null ? 1 : y == null ? -1 : x.getKey().compareTo(y.getKey());
            if (order < 0) {
                line = x.getKey() + ": only on the source";
                x = a.hasNext() ? a.next() : null;
            } else if (order > 0) {
                line = y.getKey() + ": only on the target";
                y = b.hasNext() ? b.next() : null;
            } else {
                line = difference(x.getKey(), x.getValue(), y.getValue());
                x = a.hasNext() ? a.next() : null;
                y = b.hasNext() ? b.next() : null;
            }
            if (line != null) {
                if (out.size() < SHOWN) {
                    out.add(line);
                } else {
                    more++;
                }
            }
        }
        if (more > 0) {
            out.add("… and " + more + " more differing path(s)");
        }
        return out;
    }

    private static String difference(String path, Entry s, Entry t) {
        List<String> what = new ArrayList<>();
        if (!s.type().equals(t.type())) {
            what.add("type " + s.type() + " vs " + t.type());
        }
        if (!s.mode().equals(t.mode())) {
            what.add("mode " + s.mode() + " vs " + t.mode());
        }
        if (!s.owner().equals(t.owner())) {
            what.add("owner " + s.owner() + " vs " + t.owner());
        }
        if (s.size() != t.size()) {
            what.add("size " + s.size() + " vs " + t.size());
        }
        if (s.content() == null ? t.content() != null : !s.content().equals(t.content())) {
            what.add("content differs");
        }
        return what.isEmpty() ? null : path + ": " + String.join(", ", what) + " (source vs target)";
    }

    /** One digest of a whole tree, for the report: equal trees give equal digests. */
    public static String digest(SortedMap<String, Entry> entries) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            entries.forEach((p, e) -> md.update((p + "\0" + e.describe() + "\n").getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
