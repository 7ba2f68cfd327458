package org.sidekiqsupervisor.sidekiq;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The entries of a sorted set an action names: exact entries by key (the dashboard's checkboxes and entry pages),
 * entries by jid (the API), or every entry holding a filter (null: every entry, as the Web UI's "… All" buttons).
 *
 * @param keys   the entries by {@code <score>-<jid>}, or empty
 * @param jids   the entries by jid, or empty
 * @param filter when both are empty: a substring of the entries to act on, or null for all
 */
public record SidekiqSelection(List<SidekiqEntryKey> keys, List<String> jids, String filter) {
    public SidekiqSelection {
        keys = List.copyOf(keys);
        jids = List.copyOf(jids);
    }

    /** Exactly these entries; each one no longer at its key is skipped as {@code gone}. */
    public static SidekiqSelection ofKeys(List<SidekiqEntryKey> keys) {
        return new SidekiqSelection(keys, List.of(), null);
    }

    /** The entries with these jids (a jid not in the set is skipped as {@code not_found}), else those holding {@code filter}. */
    public static SidekiqSelection of(List<String> jids, String filter) {
        return new SidekiqSelection(List.of(), jids, jids.isEmpty() ? filter : null);
    }

    /** Every entry holding {@code filter}; null or empty: every entry (at most {@value SidekiqActions#MAX_MATCHED}). */
    public static SidekiqSelection matching(String filter) {
        return new SidekiqSelection(List.of(), List.of(), filter == null || filter.isEmpty() ? null : filter);
    }

    /**
     * Reads the entries named from Redis, adding to {@code skipped} those that are not there: by key, one bounded
     * lookup each ({@link SidekiqBrowser#entry}); by jid or filter, the set a chunk at a time
     * ({@link SidekiqActions#select}).
     */
    List<SidekiqJob> read(SidekiqRedis redis, SidekiqSet set, List<SidekiqActionResult.Skipped> skipped) {
        if (keys.isEmpty()) {
            List<String> missing = new ArrayList<>();
            List<SidekiqJob> found = redis.actions().select(set, jids, filter, missing);
            missing.forEach(jid -> skipped.add(new SidekiqActionResult.Skipped(jid, "not_found")));
            return found;
        }
        List<SidekiqJob> found = new ArrayList<>();
        for (SidekiqEntryKey key : new LinkedHashSet<>(keys)) {
            Optional<SidekiqJob> entry = redis.browser().entry(set, key.score(), key.jid());
            if (entry.isPresent()) {
                found.add(entry.get());
            } else {
                skipped.add(new SidekiqActionResult.Skipped(key.jid(), "gone"));
            }
        }
        return found;
    }

    /**
     * Acts on the entries named, as {@link SidekiqActions#act}; those not there are skipped with why, after the ones
     * that moved while it ran.
     */
    public SidekiqActionResult act(SidekiqRedis redis, SidekiqSet set, SidekiqActions.SetAction action,
                                   SidekiqVersion version, boolean dryRun) {
        return act(redis, set, action, version, dryRun, entry -> { });
    }

    /**
     * {@link #act(SidekiqRedis, SidekiqSet, SidekiqActions.SetAction, SidekiqVersion, boolean)}, telling
     * {@code pushed} each entry it put on its queue (retry and enqueue, not on a dry run).
     */
    public SidekiqActionResult act(SidekiqRedis redis, SidekiqSet set, SidekiqActions.SetAction action,
                                   SidekiqVersion version, boolean dryRun, Consumer<SidekiqJob> pushed) {
        SidekiqActions.check(set, action);
        List<SidekiqActionResult.Skipped> notThere = new ArrayList<>();
        List<SidekiqJob> entries = read(redis, set, notThere);
        SidekiqActionResult acted = redis.actions().act(set, action, entries, version, dryRun);
        if (!dryRun && (action == SidekiqActions.SetAction.RETRY || action == SidekiqActions.SetAction.ENQUEUE)) {
            Set<String> done = new HashSet<>(acted.done());
            entries.stream().filter(entry -> entry.jid() != null && done.contains(entry.jid())).forEach(pushed);
        }
        List<SidekiqActionResult.Skipped> skipped = new ArrayList<>(acted.skipped());
        skipped.addAll(notThere);
        return new SidekiqActionResult(acted.done(), skipped, acted.count());
    }
}
