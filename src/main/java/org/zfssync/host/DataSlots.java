package org.zfssync.host;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The numbers of a host's kept data connections: a stream takes an idle one (the most recently
 * used, whose master is surely still up) or a new number, and gives it back when it ends. A
 * connection given back unhealthy is retired: its number is never handed out again, so a cut or
 * hung connection carries no retry. Thread-safe.
 */
final class DataSlots {
    private final Deque<Integer> idle = new ArrayDeque<>();
    private int made;

    synchronized int take() {
        Integer slot = idle.pollFirst();
        return slot != null ? slot : made++;
    }

    /** @param healthy the stream on it ended with status 0: the connection may carry the next one */
    synchronized void giveBack(int slot, boolean healthy) {
        if (healthy && slot < made && !idle.contains(slot)) {
            idle.addFirst(slot);
        }
    }

    /** How many numbers were handed out (0 to this - 1, retired ones included), and forgets them all. */
    synchronized int drain() {
        int all = made;
        made = 0;
        idle.clear();
        return all;
    }
}
