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

    /** Parents before children, as the listing orders them; an excluded dataset takes its subtree with it. */
    public static List<DatasetState> of(TreeState tree, boolean recursive, List<Glob> excludes) {
        if (!recursive) {
            return List.of(tree.get(tree.root()));
        }
        List<DatasetState> result = new ArrayList<>();
        List<DatasetName> excludedRoots = new ArrayList<>();
        for (DatasetState s : tree.all()) {
            DatasetName name = s.name();
            if (excludedRoots.stream().anyMatch(name::isSelfOrDescendantOf)) {
                continue;
            }
            String relative = name.relativeTo(tree.root());
            if (excludes.stream().anyMatch(g -> g.matches(name.value(), relative))) {
                excludedRoots.add(name);
                continue;
            }
            result.add(s);
        }
        return result;
    }
}
