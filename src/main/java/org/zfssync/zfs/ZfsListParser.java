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
        String[] fields = new String[COLUMNS];
        int lineNumber = 0;
        String line;
        while ((line = in.readLine()) != null) {
            lineNumber++;
            if (!line.isEmpty()) {
                split(line, fields, lineNumber);
                parseLine(line, fields, lineNumber, byName, snapshots, bookmarks);
            }
        }
        for (Snapshot s : snapshots) {
            builderFor(byName, s.dataset().value(), s.fullName()).snapshots.add(s);
        }
        for (Bookmark b : bookmarks) {
            builderFor(byName, b.dataset().value(), b.fullName()).bookmarks.add(b);
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

    private static Builder builderFor(Map<String, Builder> byName, String dataset, String object) {
        Builder b = byName.get(dataset);
        if (b == null) {
            throw new IllegalStateException("zfs list showed " + object + " but not its dataset " + dataset);
        }
        return b;
    }

    private static void parseLine(String line, String[] f, int lineNumber, Map<String, Builder> byName,
                                  List<Snapshot> snapshots, List<Bookmark> bookmarks) {
        String name = f[0];
        switch (f[1]) {
            case "filesystem", "volume" -> {
                DatasetName datasetName = DatasetName.of(name);
                DatasetType type = f[1].equals("volume") ? DatasetType.VOLUME : DatasetType.FILESYSTEM;
                String token = f[7];
                Dataset dataset = new Dataset(datasetName, type, number(f[2], line, lineNumber),
                        number(f[3], line, lineNumber), optionalNumber(f[5], line, lineNumber),
                        !f[6].equals("off") && !f[6].equals("-"),
                        token.equals("-") || token.isEmpty() ? Optional.empty() : Optional.of(token));
                byName.put(name, new Builder(dataset));
            }
            case "snapshot" -> {
                int at = name.indexOf('@');
                if (at < 0) {
                    throw new ParseException(lineNumber, line, "snapshot without '@'");
                }
                snapshots.add(new Snapshot(datasetOf(byName, name.substring(0, at)), name.substring(at + 1),
                        number(f[2], line, lineNumber), number(f[3], line, lineNumber),
                        number(f[4], line, lineNumber), optionalNumber(f[5], line, lineNumber),
                        (int) optionalNumber(f[8], line, lineNumber)));
            }
            case "bookmark" -> {
                int hash = name.indexOf('#');
                if (hash < 0) {
                    throw new ParseException(lineNumber, line, "bookmark without '#'");
                }
                bookmarks.add(new Bookmark(datasetOf(byName, name.substring(0, hash)), name.substring(hash + 1),
                        number(f[2], line, lineNumber), number(f[3], line, lineNumber),
                        number(f[4], line, lineNumber)));
            }
            default -> throw new ParseException(lineNumber, line, "unknown type '" + f[1] + "'");
        }
    }

    /** Shares the DatasetName of an already-listed dataset so a million snapshots hold one reference each. */
    private static DatasetName datasetOf(Map<String, Builder> byName, String dataset) {
        Builder b = byName.get(dataset);
        return b != null ? b.dataset.name() : DatasetName.of(dataset);
    }

    private static void split(String line, String[] fields, int lineNumber) {
        int start = 0;
        for (int i = 0; i < COLUMNS - 1; i++) {
            int tab = line.indexOf('\t', start);
            if (tab < 0) {
                throw new ParseException(lineNumber, line, "expected " + COLUMNS + " tab-separated columns");
            }
            fields[i] = line.substring(start, tab);
            start = tab + 1;
        }
        if (line.indexOf('\t', start) >= 0) {
            throw new ParseException(lineNumber, line, "more than " + COLUMNS + " columns");
        }
        fields[COLUMNS - 1] = line.substring(start);
    }

    private static long number(String s, String line, int lineNumber) {
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw new ParseException(lineNumber, line, "'" + s + "' is not a number");
        }
    }

    private static long optionalNumber(String s, String line, int lineNumber) {
        return s.equals("-") ? 0 : number(s, line, lineNumber);
    }
}
