package org.zfssync.zfs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Parses {@code zfs list -H -p -o <ListingColumns>} output: tab-separated, one object per line,
 * numbers in bytes and seconds. Written for speed (index arithmetic, no regex) because a side
 * can hold a million snapshots. Snapshots and bookmarks are ordered by createtxg here, in the
 * client, because asking zfs to sort by creation is slow on big pools.
 */
public final class ZfsListParser {
    private static final Comparator<Snapshot> BY_TXG = Comparator.comparingLong(Snapshot::createtxg);
    private static final Comparator<Bookmark> BOOKMARK_BY_TXG = Comparator.comparingLong(Bookmark::createtxg);
    private static final int COLUMNS = ListingColumns.ALL.size();

    private ZfsListParser() {
    }

    /** A line zfs printed that does not fit the listing format. */
    public static final class ParseException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ParseException(int lineNumber, String line, String why) {
            super("cannot parse line " + lineNumber + " of zfs list output (" + why + "): " + line);
        }
    }

    private static final class Builder {
        final Dataset dataset;
        final List<Snapshot> snapshots = new ArrayList<>();
        final List<Bookmark> bookmarks = new ArrayList<>();

        Builder(Dataset dataset) {
            this.dataset = dataset;
        }
    }

    public static TreeState parse(CharSequence text, DatasetName root) {
        try {
            return parse(new BufferedReader(new StringReader(text.toString())), root);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a string cannot fail", e);
        }
    }

    /** Parses line by line as the listing streams in. */
    public static TreeState parse(BufferedReader in, DatasetName root) throws IOException {
        Map<String, Builder> byName = new HashMap<>();
        List<Snapshot> snapshots = new ArrayList<>();
        List<Bookmark> bookmarks = new ArrayList<>();
        Line f = new Line();
        int lineNumber = 0;
        String line;
        while ((line = in.readLine()) != null) {
            lineNumber++;
            if (!line.isEmpty()) {
                f.split(line, lineNumber);
                f.parseInto(byName, snapshots, bookmarks);
            }
        }
        for (Snapshot s : snapshots) {
            builderFor(byName, s.dataset(), s.name(), '@').snapshots.add(s);
        }
        for (Bookmark b : bookmarks) {
            builderFor(byName, b.dataset(), b.name(), '#').bookmarks.add(b);
        }
        TreeMap<DatasetName, DatasetState> datasets = new TreeMap<>();
        for (Builder b : byName.values()) {
            if (!b.dataset.name().isSelfOrDescendantOf(root)) {
                continue;
            }
            b.snapshots.sort(BY_TXG);
            b.bookmarks.sort(BOOKMARK_BY_TXG);
            datasets.put(b.dataset.name(), new DatasetState(b.dataset, b.snapshots, b.bookmarks));
        }
        return new TreeState(root, datasets);
    }

    /**
     * The snapshot lines of a listing of named snapshots ({@link ZfsCommands#listSnapshots});
     * anything else in the text (a batch's merged messages) is skipped.
     */
    public static List<Snapshot> parseSnapshots(String text) {
        List<Snapshot> snapshots = new ArrayList<>();
        Map<String, Builder> none = new HashMap<>();
        Line f = new Line();
        int lineNumber = 0;
        for (String line : text.split("\n")) {
            lineNumber++;
            if (line.chars().filter(c -> c == '\t').count() != COLUMNS - 1 || !line.contains("\tsnapshot\t")) {
                continue;
            }
            f.split(line, lineNumber);
            f.parseInto(none, snapshots, new ArrayList<>());
        }
        return snapshots;
    }

    private static Builder builderFor(Map<String, Builder> byName, DatasetName dataset, String name, char separator) {
        Builder b = byName.get(dataset.value());
        if (b == null) {
            throw new IllegalStateException("zfs list showed " + dataset.value() + separator + name
                    + " but not its dataset " + dataset.value());
        }
        return b;
    }

    /**
     * One line's columns as offsets into it: numbers are read in place and only the names kept
     * become strings, so a million snapshot lines cost little more than reading them.
     */
    private static final class Line {
        private final int[] start = new int[COLUMNS];
        private final int[] end = new int[COLUMNS];
        /** A recursive snapshot gives every dataset the same short name: keep one copy of each. */
        private final Map<String, String> names = new HashMap<>();
        private String line;
        private int lineNumber;
        /** Snapshots follow their dataset in the listing: the last one is found without a lookup. */
        private DatasetName lastDataset;

        void split(String text, int lineNumber) {
            line = text;
            this.lineNumber = lineNumber;
            int from = 0;
            for (int i = 0; i < COLUMNS - 1; i++) {
                int tab = text.indexOf('\t', from);
                if (tab < 0) {
                    throw fail("expected " + COLUMNS + " tab-separated columns");
                }
                start[i] = from;
                end[i] = tab;
                from = tab + 1;
            }
            if (text.indexOf('\t', from) >= 0) {
                throw fail("more than " + COLUMNS + " columns");
            }
            start[COLUMNS - 1] = from;
            end[COLUMNS - 1] = text.length();
        }

        void parseInto(Map<String, Builder> byName, List<Snapshot> snapshots, List<Bookmark> bookmarks) {
            if (is(1, "snapshot")) {
                int at = separator('@', "snapshot without '@'");
                String shortName = line.substring(at + 1, end[0]);
                String shared = names.putIfAbsent(shortName, shortName);
                snapshots.add(new Snapshot(dataset(byName, at), shared != null ? shared : shortName, number(2),
                        number(3), number(4), optionalNumber(5), (int) optionalNumber(8)));
            } else if (is(1, "bookmark")) {
                int hash = separator('#', "bookmark without '#'");
                bookmarks.add(new Bookmark(dataset(byName, hash), line.substring(hash + 1, end[0]), number(2),
                        number(3), number(4)));
            } else if (is(1, "filesystem") || is(1, "volume")) {
                String name = text(0);
                String token = text(7);
                Dataset dataset = new Dataset(DatasetName.of(name), is(1, "volume") ? DatasetType.VOLUME
                        : DatasetType.FILESYSTEM, number(2), number(3), optionalNumber(5),
                        !is(6, "off") && !is(6, "-"), token.equals("-") || token.isEmpty() ? Optional.empty()
                        : Optional.of(token));
                byName.put(name, new Builder(dataset));
                lastDataset = dataset.name();
            } else {
                throw fail("unknown type '" + text(1) + "'");
            }
        }

        /** The dataset part of a snapshot or bookmark name, shared with the dataset's own line. */
        private DatasetName dataset(Map<String, Builder> byName, int separator) {
            if (lastDataset != null && lastDataset.value().length() == separator
                    && line.startsWith(lastDataset.value())) {
                return lastDataset;
            }
            String name = line.substring(0, separator);
            Builder b = byName.get(name);
            return b != null ? b.dataset.name() : DatasetName.of(name);
        }

        private int separator(char c, String problem) {
            int i = line.indexOf(c);
            if (i < 0 || i >= end[0]) {
                throw fail(problem);
            }
            return i;
        }

        private boolean is(int column, String value) {
            return end[column] - start[column] == value.length() && line.startsWith(value, start[column]);
        }

        private String text(int column) {
            return line.substring(start[column], end[column]);
        }

        /** An unsigned decimal (GUIDs use all 64 bits), read in place; 19 digits cannot overflow. */
        private long number(int column) {
            int from = start[column];
            int to = end[column];
            if (from == to || to - from > 19) {
                try {
                    return Long.parseUnsignedLong(text(column));
                } catch (NumberFormatException e) {
                    throw fail("'" + text(column) + "' is not a number");
                }
            }
            long value = 0;
            for (int i = from; i < to; i++) {
                int digit = line.charAt(i) - '0';
                if (digit < 0 || digit > 9) {
                    throw fail("'" + text(column) + "' is not a number");
                }
                value = value * 10 + digit;
            }
            return value;
        }

        private long optionalNumber(int column) {
            return is(column, "-") ? 0 : number(column);
        }

        private ParseException fail(String why) {
            return new ParseException(lineNumber, line, why);
        }
    }
}
