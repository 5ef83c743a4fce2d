package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.zfssync.zfs.DatasetName;

class TreeSchedulerTest {
    private static List<DatasetName> names(String... names) {
        return java.util.Arrays.stream(names).map(DatasetName::of).toList();
    }

    @Test
    void eachDatasetWaitsForItsClosestListedAncestor() {
        List<DatasetName> list = names("tank/a", "tank/a/b", "tank/a/b/c", "tank/a/x/y", "tank/z");
        assertThat(TreeScheduler.nearestAncestors(list)).containsExactly(-1, 0, 1, 0, -1);
    }

    @Test
    void siblingsRunAtTheSameTime() {
        // Both children must be inside their task at once to pass the barrier: a scheduler that
        // ran them one after the other would time out here.
        CyclicBarrier both = new CyclicBarrier(2);
        List<String> results = new TreeScheduler(2).run(names("tank/a", "tank/a/b", "tank/a/c"), i -> {
            if (i > 0) {
                try {
                    both.await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    return "alone";
                }
            }
            return "ok";
        });
        assertThat(results).containsExactly("ok", "ok", "ok");
    }

    @Test
    void noChildStartsBeforeItsParentHasFinishedAndResultsKeepTheInputOrder() {
        List<String> tree = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tree.add("tank/d" + i);
            for (int j = 0; j < 5; j++) {
                tree.add("tank/d" + i + "/c" + j);
                tree.add("tank/d" + i + "/c" + j + "/g");
            }
        }
        List<DatasetName> list = tree.stream().map(DatasetName::of).toList();
        Set<DatasetName> finished = ConcurrentHashMap.newKeySet();
        Set<String> violations = ConcurrentHashMap.newKeySet();
        List<Integer> results = new TreeScheduler(4).run(list, i -> {
            DatasetName parent = list.get(i).parent();
            if (list.contains(parent) && !finished.contains(parent)) {
                violations.add(list.get(i) + " started before " + parent + " finished");
            }
            Thread.yield();
            finished.add(list.get(i));
            return i;
        });
        assertThat(violations).isEmpty();
        assertThat(results).isEqualTo(java.util.stream.IntStream.range(0, list.size()).boxed().toList());
    }

    @Test
    void aTaskThatThrowsFailsTheRunAfterTheOthersFinish() {
        Set<Integer> ran = ConcurrentHashMap.newKeySet();
        assertThatThrownBy(() -> new TreeScheduler(3).run(names("tank/a", "tank/b", "tank/c"), i -> {
            ran.add(i);
            if (i == 1) {
                throw new IllegalStateException("boom");
            }
            return i;
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(ran).contains(1);
    }

    @Test
    void workersMustBePositive() {
        assertThatThrownBy(() -> new TreeScheduler(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
