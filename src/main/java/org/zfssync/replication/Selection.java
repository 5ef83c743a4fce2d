package org.zfssync.replication;

import java.util.ArrayList;
import java.util.List;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.TreeState;

/** Which datasets of a side a run covers: the root, or with recursion its tree less excluded subtrees. */
public final class Selection {
    private Selection() {
    }

    /**
     * Parents before children, as the listing orders them; an excluded dataset takes its subtree with it,
     * and so does a dataset zfs-sync moved aside ({@link org.zfssync.zfs.AsideNames}).
     */
    public static List<DatasetState> of(TreeState tree, boolean recursive, List<Glob> excludes) {
        return of(tree, recursive, List.of(), excludes);
    }

    /**
     * With {@code includes}, only the subtrees of datasets matching one of them, plus the datasets
     * above those (a child is received only below its parent) and the root. Excludes win: an
     * excluded dataset takes its subtree with it, included or not.
     */
    public static List<DatasetState> of(TreeState tree, boolean recursive, List<Glob> includes, List<Glob> excludes) {
        if (!recursive) {
            return List.of(tree.get(tree.root()));
        }
        List<DatasetName> included = new ArrayList<>();
        for (DatasetState s : tree.all()) {
            if (matches(includes, tree, s.name())) {
                included.add(s.name());
            }
        }
        List<DatasetState> result = new ArrayList<>();
        List<DatasetName> excludedRoots = new ArrayList<>();
        for (DatasetState s : tree.all()) {
            DatasetName name = s.name();
            if (excludedRoots.stream().anyMatch(name::isSelfOrDescendantOf)
                    || org.zfssync.zfs.AsideNames.isAsideOrInside(name, tree.root())) {
                // A copy zfs-sync moved aside (a quarantined target, a restore's original) is never
                // replicated, snapshotted or pruned as part of the tree.
                continue;
            }
            if (matches(excludes, tree, name)) {
                excludedRoots.add(name);
                continue;
            }
            boolean wanted = includes.isEmpty() || name.equals(tree.root())
                    || included.stream().anyMatch(i -> name.isSelfOrDescendantOf(i) || i.isSelfOrDescendantOf(name));
            if (wanted) {
                result.add(s);
            }
        }
        return result;
    }

    private static boolean matches(List<Glob> globs, TreeState tree, DatasetName name) {
        String relative = name.relativeTo(tree.root());
        return globs.stream().anyMatch(g -> g.matches(name.value(), relative));
    }
}
