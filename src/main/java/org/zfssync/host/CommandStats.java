package org.zfssync.host;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs every command (at debug, shown by {@code -v}) and counts them per host. Thread-safe. */
public final class CommandStats implements CommandListener {
    private static final Logger LOG = LoggerFactory.getLogger(CommandStats.class);
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    @Override
    public void beforeRun(String host, String display, boolean session) {
        LOG.debug("[{}] {}", host, display);
        if (session) {
            counts.computeIfAbsent(host, h -> new LongAdder()).increment();
        }
    }

    /** Commands (processes locally, ssh sessions remotely) run so far, per host, in host-name order. */
    public Map<String, Long> perHost() {
        Map<String, Long> result = new TreeMap<>();
        counts.forEach((host, n) -> result.put(host, n.sum()));
        return result;
    }
}
