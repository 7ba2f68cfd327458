package org.sidekiqsupervisor.sidekiq;

import java.time.Instant;
import java.util.List;

/**
 * Where Sidekiq holds one job right now, as one bounded search ({@link SidekiqBrowser#whereIs}) found it. The search
 * reads each place only up to a budget: when the job was not found, {@link #unfinished} says which places were not
 * read to their end, so that "nowhere" is only claimed when every place was read in full.
 *
 * @param kind       where the job is
 * @param queue      the queue it waits in ({@link Kind#QUEUED}), the queue that was searched for it (otherwise), or
 *                   null when its queue is not known (no queue was searched)
 * @param position   for {@link Kind#QUEUED}: its place in line, 1 being the next job to run; otherwise 0
 * @param queueSize  how many jobs its queue held when it was searched, or -1 when no queue was searched
 * @param process    for {@link Kind#RUNNING}: the identity of the process running it ({@code hostname:pid:nonce})
 * @param tid        for {@link Kind#RUNNING}: the thread running it
 * @param at         running since ({@link Kind#RUNNING}), next try ({@link Kind#RETRY}), due
 *                   ({@link Kind#SCHEDULED}), died ({@link Kind#DEAD}); null when unknown or not applicable
 * @param unfinished the places whose search ran out of budget before their end, in the order searched
 */
public record SidekiqPlace(Kind kind, String queue, long position, long queueSize, String process, String tid, Instant at,
                           List<Unfinished> unfinished) {

    public SidekiqPlace {
        unfinished = List.copyOf(unfinished);
    }

    /** The places Sidekiq holds a job in, and nowhere. */
    public enum Kind {
        /** A live process runs it. */
        RUNNING,
        /** It waits in its queue. */
        QUEUED,
        /** It failed and waits in the retry set. */
        RETRY,
        /** It waits in the schedule set. */
        SCHEDULED,
        /** It is in the dead set. */
        DEAD,
        /** Not found: nowhere, if {@link #unfinished} is empty; otherwise not within what was searched. */
        NOWHERE
    }

    /**
     * A place the search did not read to its end.
     *
     * @param key      the Redis key: {@code queue:<name>}, {@code retry}, {@code schedule} or {@code dead}
     * @param searched how many entries were read (for a sorted set, roughly: {@code ZSCAN}'s count is a hint)
     * @param size     how many entries it held
     */
    public record Unfinished(String key, long searched, long size) {
    }

    /** Whether the search read every place to its end, so that {@link Kind#NOWHERE} means nowhere. */
    public boolean complete() {
        return unfinished.isEmpty() && (kind != Kind.NOWHERE || queue != null);
    }
}
