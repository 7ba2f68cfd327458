package org.sidekiqsupervisor.sidekiq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.sidekiqsupervisor.internal.Json;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;

/**
 * Finds where Sidekiq holds one job, in bounded steps, for a page that asks while a person waits: no command reads
 * more than one chunk, and no search reads more than its budget, however long the queue or set. Places are read in
 * the order a job goes through them: the running work of the live processes (a few entries per thread), the job's own
 * queue from the next job to run onwards (a Lua script compares a chunk inside Redis and sends back only the match),
 * then the retry, schedule and dead sets with {@code ZSCAN MATCH} (Redis picks out the matching entries). The answer
 * is one moment's reading: a job that moves between two places while they are read may be reported in neither, and
 * says so only by the next reading. Thread-safe.
 */
final class SidekiqPlaces {
    /** Entries one command reads. */
    static final int CHUNK = 500;
    /**
     * How many entries each chunk of a queue re-reads from the one before. Sidekiq takes jobs from the tail while the
     * search reads, moving every job that many places towards it; the overlap keeps a job from slipping back past the
     * reader unless more jobs than this were taken between two chunks (milliseconds apart).
     */
    static final int OVERLAP = 50;
    /** How far into a queue (places from the next to run) a search reads. */
    static final int QUEUE_BUDGET = 10_000;
    /** About how many entries of each sorted set a search reads. */
    static final int SET_BUDGET = 10_000;

    /**
     * Searches one chunk of a list from the tail: KEYS[1] the list, ARGV[1] the first place (0 = the tail, the next job
     * to run), ARGV[2] how many places, ARGV[3] the text to look for. Returns {LLEN, entries read} and, for the first
     * entry holding the text, its place within the chunk and the entry.
     */
    private static final String FIND_IN_CHUNK = """
            local from = tonumber(ARGV[1])
            local entries = redis.call('LRANGE', KEYS[1], -(from + tonumber(ARGV[2])), -(from + 1))
            local size = redis.call('LLEN', KEYS[1])
            for i = #entries, 1, -1 do
              if string.find(entries[i], ARGV[3], 1, true) then
                return {size, #entries, #entries - i, entries[i]}
              end
            end
            return {size, #entries}
            """;

    private final Function<Function<Jedis, Object>, Object> redis;
    private final SidekiqBrowser browser;
    private final int chunk;
    private final int overlap;
    private final int queueBudget;
    private final int setBudget;

    SidekiqPlaces(Function<Function<Jedis, Object>, Object> redis, SidekiqBrowser browser, int chunk, int overlap,
                  int queueBudget, int setBudget) {
        if (overlap >= chunk) {
            throw new IllegalArgumentException("the overlap must be smaller than a chunk");
        }
        this.redis = redis;
        this.browser = browser;
        this.chunk = chunk;
        this.overlap = overlap;
        this.queueBudget = queueBudget;
        this.setBudget = setBudget;
    }

    /** See {@link SidekiqBrowser#whereIs}. */
    SidekiqPlace whereIs(String jid, String knownQueue) {
        for (SidekiqProcess process : browser.processes()) {
            for (SidekiqProcess.Running running : process.jobs()) {
                if (jid.equals(running.jid())) {
                    return new SidekiqPlace(SidekiqPlace.Kind.RUNNING, running.queue(), 0, -1, process.identity(),
                            running.tid(), running.runAt(), List.of());
                }
            }
        }
        List<SidekiqPlace.Unfinished> unfinished = new ArrayList<>();
        long queueSize = -1;
        if (knownQueue != null && !knownQueue.isEmpty()) {
            long[] found = searchQueue(jid, "queue:" + knownQueue, unfinished);
            queueSize = found[1];
            if (found[0] > 0) {
                return new SidekiqPlace(SidekiqPlace.Kind.QUEUED, knownQueue, found[0], queueSize, null, null, null, List.of());
            }
        }
        String queue = knownQueue == null || knownQueue.isEmpty() ? null : knownQueue;
        for (SidekiqSet set : List.of(SidekiqSet.RETRY, SidekiqSet.SCHEDULED, SidekiqSet.DEAD)) {
            SidekiqJob entry = searchSet(jid, set, unfinished);
            if (entry != null) {
                SidekiqPlace.Kind kind = switch (set) {
                    case RETRY -> SidekiqPlace.Kind.RETRY;
                    case SCHEDULED -> SidekiqPlace.Kind.SCHEDULED;
                    case DEAD -> SidekiqPlace.Kind.DEAD;
                };
                Instant at = entry.at();
                return new SidekiqPlace(kind, queue, 0, queueSize, null, null, at, unfinished);
            }
        }
        return new SidekiqPlace(SidekiqPlace.Kind.NOWHERE, queue, 0, queueSize, null, null, null, unfinished);
    }

    /**
     * Searches a queue from the next job to run, a chunk per script, up to the budget. Returns {place (1 = next to
     * run), or 0 when not found; the queue's length}; adds the queue to {@code unfinished} when the budget ran out.
     */
    private long[] searchQueue(String jid, String key, List<SidekiqPlace.Unfinished> unfinished) {
        String needle = "\"jid\":" + json(jid);
        long from = 0;
        long size = 0;
        while (true) {
            long count = Math.min(chunk, queueBudget - from);
            long start = from;
            List<?> reply = (List<?>) redis.apply(jedis -> jedis.eval(FIND_IN_CHUNK, List.of(key),
                    List.of(Long.toString(start), Long.toString(count), needle)));
            size = (Long) reply.get(0);
            long read = (Long) reply.get(1);
            if (reply.size() > 2) {
                long offset = (Long) reply.get(2);
                if (jid.equals(SidekiqJob.parse(text(reply.get(3)), null).jid())) {
                    return new long[] {start + offset + 1, size};
                }
                // The text was in another field (an argument naming the jid): go on right after that entry.
                from = start + offset + 1;
                continue;
            }
            if (read < count) {
                return new long[] {0, size};
            }
            if (start + count >= queueBudget) {
                unfinished.add(new SidekiqPlace.Unfinished(key, start + count, size));
                return new long[] {0, size};
            }
            from = start + count - overlap;
        }
    }

    /** Searches a sorted set with ZSCAN MATCH, a page at a time, up to the budget; null when not found. */
    private SidekiqJob searchSet(String jid, SidekiqSet set, List<SidekiqPlace.Unfinished> unfinished) {
        ScanParams params = new ScanParams().match("*\"jid\":" + glob(json(jid)) + "*").count(chunk);
        String cursor = ScanParams.SCAN_POINTER_START;
        long searched = 0;
        do {
            String at = cursor;
            @SuppressWarnings("unchecked")
            ScanResult<Tuple> page = (ScanResult<Tuple>) redis.apply(jedis -> jedis.zscan(set.key(), at, params));
            for (Tuple entry : page.getResult()) {
                SidekiqJob job = SidekiqJob.parse(entry.getElement(), entry.getScore());
                if (jid.equals(job.jid())) {
                    return job;
                }
            }
            cursor = page.getCursor();
            searched += chunk;
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor) && searched < setBudget);
        if (!ScanParams.SCAN_POINTER_START.equals(cursor)) {
            long size = (Long) redis.apply(jedis -> jedis.zcard(set.key()));
            unfinished.add(new SidekiqPlace.Unfinished(set.key(), Math.min(searched, size), size));
        }
        return null;
    }

    /** The jid as Sidekiq's JSON writes it, quotes included. */
    private static String json(String jid) {
        try {
            return Json.MAPPER.writeValueAsString(jid);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Text taken literally by a {@code MATCH} pattern. */
    static String glob(String text) {
        return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }

    private static String text(Object reply) {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : reply.toString();
    }
}
