package org.zfssync.permissions;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code zfs allow DATASET} prints, parsed: one section per dataset that carries
 * delegations, the dataset itself first, then its ancestors up to the pool. OpenZFS prints
 * <pre>
 * ---- Permissions on pool/fs -----------------------------------------
 * Permission sets:
 *         &#64;sync send,hold
 * Local+Descendent permissions:
 *         user backup &#64;sync,create,mount
 *         group staff destroy
 *         everyone snapshot
 * </pre>
 * with {@code Create time permissions:}, {@code Local permissions:} and {@code Descendent
 * permissions:} as the other headings.
 */
public record AllowListing(List<Section> sections) {
    private static final Pattern SECTION = Pattern.compile("-+ Permissions on (\\S+) -*");

    public AllowListing {
        sections = List.copyOf(sections);
    }

    /** Where a grant applies: the dataset itself, its descendants, or both. */
    public enum Scope { LOCAL, DESCENDENT, LOCAL_DESCENDENT }

    /** One line of a grant heading: {@code user NAME}, {@code group NAME} or {@code everyone}, and what it is given. */
    public record Grant(Scope scope, String kind, String who, Set<String> permissions) {
        public Grant {
            permissions = Set.copyOf(permissions);
        }
    }

    /** The delegations set on one dataset: its permission sets ({@code @name}) and its grants. */
    public record Section(String dataset, Map<String, Set<String>> sets, List<Grant> grants) {
        public Section {
            sets = Map.copyOf(sets);
            grants = List.copyOf(grants);
        }
    }

    /** Parses the output; a line it does not know is an error rather than a permission silently lost. */
    public static AllowListing parse(String output) {
        List<Section> sections = new ArrayList<>();
        String dataset = null;
        Map<String, Set<String>> sets = new LinkedHashMap<>();
        List<Grant> grants = new ArrayList<>();
        String heading = null;
        for (String raw : output.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            Matcher m = SECTION.matcher(line);
            if (m.matches()) {
                if (dataset != null) {
                    sections.add(new Section(dataset, sets, grants));
                }
                dataset = m.group(1);
                sets = new LinkedHashMap<>();
                grants = new ArrayList<>();
                heading = null;
            } else if (line.endsWith(":")) {
                heading = heading(line);
            } else if (dataset == null || heading == null) {
                throw unexpected(line);
            } else if (heading.equals("sets")) {
                String[] f = line.split("\\s+", 2);
                if (f.length != 2 || !f[0].startsWith("@")) {
                    throw unexpected(line);
                }
                sets.put(f[0], split(f[1]));
            } else if (!heading.equals("create")) {
                grants.add(grant(Scope.valueOf(heading), line));
            }
        }
        if (dataset != null) {
            sections.add(new Section(dataset, sets, grants));
        }
        return new AllowListing(sections);
    }

    private static String heading(String line) {
        return switch (line) {
            case "Permission sets:" -> "sets";
            case "Create time permissions:" -> "create";
            case "Local permissions:" -> Scope.LOCAL.name();
            case "Descendent permissions:" -> Scope.DESCENDENT.name();
            case "Local+Descendent permissions:" -> Scope.LOCAL_DESCENDENT.name();
            default -> throw unexpected(line);
        };
    }

    private static Grant grant(Scope scope, String line) {
        String[] f = line.split("\\s+");
        if (f[0].equals("everyone") && f.length == 2) {
            return new Grant(scope, "everyone", "", split(f[1]));
        }
        if ((f[0].equals("user") || f[0].equals("group")) && f.length == 3) {
            return new Grant(scope, f[0], f[1], split(f[2]));
        }
        throw unexpected(line);
    }

    private static Set<String> split(String list) {
        return Set.of(list.split(","));
    }

    private static IllegalArgumentException unexpected(String line) {
        return new IllegalArgumentException("unexpected line in the output of zfs allow: '" + line + "'");
    }

    /**
     * The permissions {@code user} (a member of {@code groups}) has on {@code dataset}: the grants
     * of its own section that are local, and those of its ancestors' sections that reach
     * descendants, with permission sets expanded where they are defined (the granting dataset,
     * else the nearest ancestor that defines them).
     */
    public Set<String> effective(String dataset, String user, Set<String> groups) {
        Set<String> granted = new HashSet<>();
        for (int i = 0; i < sections.size(); i++) {
            Section s = sections.get(i);
            boolean self = s.dataset().equals(dataset);
            if (!self && !dataset.startsWith(s.dataset() + "/")) {
                continue; // not the dataset nor an ancestor: its grants never reach it
            }
            for (Grant g : s.grants()) {
                boolean reaches = g.scope() == Scope.LOCAL_DESCENDENT || (self ? g.scope() == Scope.LOCAL
                        : g.scope() == Scope.DESCENDENT);
                boolean mine = switch (g.kind()) {
                    case "user" -> g.who().equals(user);
                    case "group" -> groups.contains(g.who());
                    default -> true;
                };
                if (reaches && mine) {
                    for (String p : g.permissions()) {
                        expand(p, i, granted, new HashSet<>());
                    }
                }
            }
        }
        return Set.copyOf(granted);
    }

    private void expand(String permission, int from, Set<String> into, Set<String> seen) {
        if (!permission.startsWith("@")) {
            into.add(permission);
            return;
        }
        if (!seen.add(permission)) {
            return;
        }
        for (int i = from; i < sections.size(); i++) {
            Set<String> members = sections.get(i).sets().get(permission);
            if (members != null) {
                int where = i;
                members.forEach(p -> expand(p, where, into, seen));
                return;
            }
        }
    }
}
