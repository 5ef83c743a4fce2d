package org.zfssync.replication;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.zfssync.zfs.DatasetName;

/**
 * Runs one task per dataset on a fixed number of workers, a dataset never before its nearest
 * ancestor in the list has finished (a child's receive needs its parent on the target). Siblings
 * and unrelated subtrees run side by side. Results come back in the order of the input.
 */
final class TreeScheduler {
    private final int workers;

    TreeScheduler(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        this.workers = workers;
    }

    /**
     * @param datasets parents before children, as plans list them
     * @param task     run once per dataset; may run on any worker thread
     */
    <R> List<R> run(List<DatasetName> datasets, Function<Integer, R> task) {
        if (workers == 1 || datasets.size() < 2) {
            List<R> results = new ArrayList<>(datasets.size());
            for (int i = 0; i < datasets.size(); i++) {
                results.add(task.apply(i));
            }
            return results;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(workers, datasets.size()), r -> {
            Thread t = new Thread(r, "zfs-sync-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<R>> futures = new ArrayList<>(datasets.size());
            int[] parents = nearestAncestors(datasets);
            for (int i = 0; i < datasets.size(); i++) {
                int index = i;
                int parent = parents[i];
                CompletableFuture<?> after = parent < 0 ? CompletableFuture.completedFuture(null) : futures.get(parent);
                // handle(): a parent that threw still releases its children; the task decides what they do.
                futures.add(after.handleAsync((ignored, error) -> task.apply(index), pool));
            }
            List<R> results = new ArrayList<>(datasets.size());
            for (CompletableFuture<R> f : futures) {
                try {
                    results.add(f.join());
                } catch (CompletionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw e;
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** For each dataset, the index of its closest ancestor in the list, or -1. */
    static int[] nearestAncestors(List<DatasetName> datasets) {
        Map<DatasetName, Integer> index = new HashMap<>();
        for (int i = 0; i < datasets.size(); i++) {
            index.put(datasets.get(i), i);
        }
        int[] result = new int[datasets.size()];
        for (int i = 0; i < datasets.size(); i++) {
            result[i] = -1;
            for (DatasetName p = datasets.get(i).parent(); p != null; p = p.parent()) {
                Integer j = index.get(p);
                if (j != null && j < i) {
                    result[i] = j;
                    break;
                }
            }
        }
        return result;
    }
}
