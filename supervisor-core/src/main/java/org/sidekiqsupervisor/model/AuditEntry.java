package org.sidekiqsupervisor.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One action recorded in the audit log.
 *
 * @param id     the store's id, increasing with each entry recorded (0 before it is recorded)
 * @param at     when the action was taken
 * @param actor  who took it: the dashboard user, {@code token} (the HTTP API), {@code console} or {@code watchdog}
 * @param action what was done, e.g. {@code retries.retry}, {@code queue.clear}, {@code jobs.restart}
 * @param target what it was done to: a set, {@code queue:<name>}, a process identity, {@code jobs}
 * @param jids   the jids acted on, at most {@value #MAX_JIDS} (the first ones)
 * @param count  how many jobs it acted on (or, on a dry run, would have)
 * @param dryRun whether it only reported what it would do
 */
public record AuditEntry(long id, Instant at, String actor, String action, String target, List<String> jids, long count,
                         boolean dryRun) {
    /** The most jids an entry keeps. */
    public static final int MAX_JIDS = 100;

    /** Checks the entry and keeps at most {@value #MAX_JIDS} jids. */
    public AuditEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        jids = List.copyOf(jids.size() > MAX_JIDS ? jids.subList(0, MAX_JIDS) : jids);
        if (count < 0) {
            throw new IllegalArgumentException("count must be zero or more (got " + count + ")");
        }
    }

    /** An entry not recorded yet. */
    public static AuditEntry of(Instant at, String actor, String action, String target, List<String> jids, long count,
                                boolean dryRun) {
        return new AuditEntry(0, at, actor, action, target, jids, count, dryRun);
    }
}
