package org.zfssync.zfs;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one grammar of the datasets zfs-sync moves aside instead of destroying:
 * {@code BASE.zfs-sync-KIND-YYYYMMDDTHHMMSSZ} (UTC), beside the dataset {@code BASE} it was.
 * A name either parses exactly (kind, original name, time) or is not ours: only parsed names are
 * ever destroyed (expired quarantine copies), and every aside name, with what is below it, is
 * left out of a tree's sync and pruning, so a copy kept aside is never replicated, pruned or
 * mistaken for a dataset of the tree.
 */
public final class AsideNames {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern COMPONENT = Pattern.compile("(.+)\\.zfs-sync-(diverged|replaced|restoring)-(\\d{8}T\\d{6}Z)");

    /** Why a dataset was moved aside. */
    public enum Kind {
        /** A sync target that diverged from its source or shared nothing with it (--on-diverged quarantine). */
        DIVERGED,
        /** The original of a dataset replaced by an in-place restore. */
        REPLACED,
        /** A restore received beside its original, before the names are swapped. */
        RESTORING;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A parsed aside name.
     *
     * @param original the dataset it was moved aside from (same parent, the part before the suffix)
     * @param at       when it was moved aside (the name's timestamp, UTC, whole seconds)
     */
    public record Aside(DatasetName name, DatasetName original, Kind kind, Instant at) {
    }

    private AsideNames() {
    }

    /** The aside name of {@code original} for {@code kind} at {@code at} (truncated to the second). */
    public static DatasetName name(DatasetName original, Kind kind, Instant at) {
        String stamp = STAMP.format(LocalDateTime.ofInstant(at.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC));
        return DatasetName.of(original.value() + ".zfs-sync-" + kind.word() + "-" + stamp);
    }

    /** The name parsed, when its last component is exactly an aside name with a valid UTC time. */
    public static Optional<Aside> parse(DatasetName name) {
        String value = name.value();
        int slash = value.lastIndexOf('/');
        Matcher m = COMPONENT.matcher(value.substring(slash + 1));
        if (slash < 0 || !m.matches()) {
            // A pool is never an aside: zfs-sync renames datasets within their parent.
            return Optional.empty();
        }
        Instant at;
        try {
            at = LocalDateTime.parse(m.group(3), STAMP).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
        DatasetName original = DatasetName.of(value.substring(0, slash + 1) + m.group(1));
        return Optional.of(new Aside(name, original, Kind.valueOf(m.group(2).toUpperCase(Locale.ROOT)), at));
    }

    /**
     * True when {@code name} is an aside or lies inside one, looking only at the components below
     * {@code root} (the root itself was named by the user and is taken as given).
     */
    public static boolean isAsideOrInside(DatasetName name, DatasetName root) {
        DatasetName d = name;
        while (d != null && !d.equals(root) && d.isSelfOrDescendantOf(root)) {
            if (parse(d).isPresent()) {
                return true;
            }
            d = d.parent();
        }
        return false;
    }
}
