package org.zfssync.pruning;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which snapshots of one dataset to destroy. Pure: snapshots and a policy in, a decision
 * out. Only snapshots that are {@link Candidate#prunable() prunable} (ours, not held, not needed
 * by a target or a pending resume) are ever chosen, whatever the policy says; an empty policy
 * keeps everything.
 */
public final class Retention {
    private final RetentionPolicy policy;
    private final ZoneId zone;

    public Retention(RetentionPolicy policy, ZoneId zone) {
        this.policy = policy;
        this.zone = zone;
    }

    /** What to keep (with the first reason) and what to destroy, newest first. */
    public record Decision(Map<Candidate, String> kept, List<Candidate> destroy) {
    }

    public Decision decide(List<Candidate> snapshots) {
        List<Candidate> newestFirst = new ArrayList<>(snapshots);
        newestFirst.sort(Comparator.comparing(Candidate::creation).thenComparing(Candidate::guid).reversed());
        Map<Candidate, String> kept = new LinkedHashMap<>();
        for (Candidate c : newestFirst) {
            if (!c.ours()) {
                kept.put(c, "not ours");
            } else if (c.held()) {
                kept.put(c, "held");
            } else if (c.needed()) {
                kept.put(c, "needed by a target or a pending resume");
            }
        }
        if (policy.keepsEverything()) {
            newestFirst.forEach(c -> kept.putIfAbsent(c, "no retention counts set"));
            return new Decision(kept, List.of());
        }
        // Counting runs over our snapshots only: another tool's snapshots neither fill nor free a slot.
        List<Candidate> ours = newestFirst.stream().filter(Candidate::ours).toList();
        for (int i = 0; i < Math.min(policy.last(), ours.size()); i++) {
            kept.putIfAbsent(ours.get(i), "last " + policy.last());
        }
        Map<Bucket, Set<java.time.Instant>> seen = new EnumMap<>(Bucket.class);
        for (Bucket b : Bucket.values()) {
            int wanted = b.count(policy);
            if (wanted == 0) {
                continue;
            }
            Set<java.time.Instant> periods = seen.computeIfAbsent(b, k -> new HashSet<>());
            for (Candidate c : ours) {
                if (periods.size() >= wanted) {
                    break;
                }
                // Newest first: the first snapshot met in a period is that period's newest.
                if (periods.add(b.periodOf(c.creation(), zone, policy.frequentPeriod()))) {
                    kept.putIfAbsent(c, b.name().toLowerCase(java.util.Locale.ROOT) + " " + wanted);
                }
            }
        }
        List<Candidate> destroy = new ArrayList<>();
        for (Candidate c : newestFirst) {
            if (!kept.containsKey(c)) {
                destroy.add(c);
            }
        }
        return new Decision(kept, destroy);
    }
}
