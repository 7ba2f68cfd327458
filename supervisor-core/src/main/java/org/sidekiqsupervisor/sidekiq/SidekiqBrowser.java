package org.sidekiqsupervisor.sidekiq;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.internal.Json;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Tuple;

/**
 * Reads Sidekiq's jobs a page at a time, as its Web UI lists them: the retry, schedule and dead sets, a queue's
 * jobs, one entry by jid, and the live processes with their running jobs. No command reads more than one chunk.
 */
public final class SidekiqBrowser {
    /** Entries one command reads. */
    static final int CHUNK = 500;
    /**
     * The most entries one filtered page reads before it answers with a cursor to go on from: a retry set of 20,000
     * is searched whole in one page (about 40 commands of {@value #CHUNK}), a bigger one a page at a time.
     */
    static final int SCAN_BOUND = 20_000;
    /** The largest page. */
    public static final int MAX_LIMIT = 1000;
    /** The page size when none is asked for (Sidekiq's Web UI shows 25). */
    public static final int DEFAULT_LIMIT = 25;

    private final Function<Function<Jedis, Object>, Object> redis;
    private final int chunk;
    private final int scanBound;
    private final SidekiqPlaces places;

    SidekiqBrowser(Function<Function<Jedis, Object>, Object> redis, int chunk, int scanBound) {
        this.redis = redis;
        this.chunk = chunk;
        this.scanBound = scanBound;
        this.places = new SidekiqPlaces(redis, this, SidekiqPlaces.CHUNK, SidekiqPlaces.OVERLAP, SidekiqPlaces.QUEUE_BUDGET,
                SidekiqPlaces.SET_BUDGET);
    }

    /**
     * Where Sidekiq holds the job with this jid right now, read in bounded steps: the running work of the live
     * processes, the first {@value SidekiqPlaces#QUEUE_BUDGET} places of {@code knownQueue} (from the next job to
     * run), and about {@value SidekiqPlaces#SET_BUDGET} entries of each of the retry, schedule and dead sets. Whatever
     * the budget left unread is named in the answer's {@link SidekiqPlace#unfinished}.
     *
     * @param knownQueue the queue the job would wait in, or null when not known (then no queue is searched)
     * @throws SidekiqUnavailableException when Redis does not answer
     */
    public SidekiqPlace whereIs(String jid, String knownQueue) {
        return places.whereIs(jid, knownQueue);
    }

    /**
     * A page of a sorted set in its Web UI order, with only the entries holding {@code filter} (a substring of the
     * stored entry; null or empty: all). A filtered page reads at most {@value #SCAN_BOUND} entries: it may hold fewer
     * than {@code limit} jobs and still have a next cursor.
     *
     * @throws InvalidInputException for a limit outside 1..{@value #MAX_LIMIT} or a cursor this did not return
     */
    public SidekiqPage page(SidekiqSet set, String filter, int limit, String cursor) {
        checkLimit(limit);
        SetReader reader = new SetReader(redis, set, chunk, cursor, filter);
        List<SidekiqJob> jobs = new ArrayList<>();
        boolean more = true;
        while (more && jobs.size() < limit && reader.scanned() < scanBound) {
            more = reader.next(job -> {
                jobs.add(job);
                return jobs.size() < limit && reader.scanned() < scanBound;
            });
        }
        long size = (Long) redis.apply(jedis -> jedis.zcard(set.key()));
        return new SidekiqPage(jobs, reader.ended() ? null : reader.cursor(), size);
    }

    /**
     * A page of a queue's jobs, the next to run first (Sidekiq pushes at the head and takes from the tail).
     *
     * @param cursor how many jobs from the tail earlier pages listed
     */
    public SidekiqPage queue(String name, int limit, String cursor) {
        checkLimit(limit);
        long offset;
        try {
            offset = cursor == null || cursor.isEmpty() ? 0 : Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            offset = -1;
        }
        if (offset < 0) {
            throw new InvalidInputException("cursor", "cursor is not one this API returned");
        }
        long from = offset;
        @SuppressWarnings("unchecked")
        List<Object> read = (List<Object>) redis.apply(jedis -> List.of(jedis.llen("queue:" + name),
                jedis.lrange("queue:" + name, -(from + limit), -(from + 1))));
        long size = (Long) read.get(0);
        @SuppressWarnings("unchecked")
        List<String> entries = new ArrayList<>((List<String>) read.get(1));
        Collections.reverse(entries);
        List<SidekiqJob> jobs = entries.stream().map(raw -> SidekiqJob.parse(raw, null)).toList();
        return new SidekiqPage(jobs, from + limit < size ? String.valueOf(from + limit) : null, size);
    }

    /** The entry of the set with this jid, read in chunks until found. */
    public Optional<SidekiqJob> find(SidekiqSet set, String jid) {
        SetReader reader = new SetReader(redis, set, chunk, null);
        SidekiqJob[] found = {null};
        String needle = "\"" + jid + "\"";
        while (found[0] == null && reader.next(job -> {
            if (job.raw().contains(needle) && jid.equals(job.jid())) {
                found[0] = job;
                return false;
            }
            return true;
        })) {
            // next chunk
        }
        return Optional.ofNullable(found[0]);
    }

    /**
     * The entry of the set at this score with this jid: {@code ZRANGEBYSCORE <set> <score> <score> LIMIT}, a chunk at a
     * time among the entries sharing the score (never the whole set), as Sidekiq's {@code SortedSet#fetch}.
     */
    public Optional<SidekiqJob> entry(SidekiqSet set, double score, String jid) {
        String at = SidekiqEntryKey.scoreText(score);
        for (int offset = 0; ; offset += chunk) {
            int from = offset;
            @SuppressWarnings("unchecked")
            List<Tuple> read = (List<Tuple>) redis.apply(jedis -> jedis.zrangeByScoreWithScores(set.key(), at, at, from, chunk));
            for (Tuple entry : read) {
                SidekiqJob job = SidekiqJob.parse(entry.getElement(), entry.getScore());
                if (jid.equals(job.jid())) {
                    return Optional.of(job);
                }
            }
            if (read.size() < chunk) {
                return Optional.empty();
            }
        }
    }

    /** Every live process (its heartbeat not expired), by identity, with its running jobs. */
    public List<SidekiqProcess> processes() {
        @SuppressWarnings("unchecked")
        List<SidekiqProcess> processes = (List<SidekiqProcess>) redis.apply(jedis -> {
            List<SidekiqProcess> found = new ArrayList<>();
            for (String identity : new TreeSet<>(jedis.smembers("processes"))) {
                List<String> fields = jedis.hmget(identity, "info", "busy", "beat", "quiet", "rss");
                if (fields.get(0) == null) {
                    continue;
                }
                // 6.x keeps the running work under :workers, 7.x and 8.x under :work.
                Map<String, String> work = new java.util.TreeMap<>(jedis.hgetAll(identity + ":work"));
                work.putAll(jedis.hgetAll(identity + ":workers"));
                SidekiqProcess process = process(identity, fields, work);
                if (process != null) {
                    found.add(process);
                }
            }
            return found;
        });
        return processes;
    }

    /** Whether a process with this identity is in Sidekiq's {@code processes} set. */
    public boolean knowsProcess(String identity) {
        return (Boolean) redis.apply(jedis -> jedis.sismember("processes", identity));
    }

    static SidekiqProcess process(String identity, List<String> fields, Map<String, String> work) {
        JsonNode info = read(fields.get(0));
        if (info == null || !info.isObject()) {
            return null;
        }
        List<String> queues = new ArrayList<>();
        JsonNode capsules = info.get("capsules");
        if (capsules != null && capsules.isObject()) {
            capsules.forEach(capsule -> capsule.path("weights").fieldNames().forEachRemaining(queue -> {
                if (!queues.contains(queue)) {
                    queues.add(queue);
                }
            }));
        } else {
            info.path("queues").forEach(queue -> queues.add(queue.asText()));
        }
        List<SidekiqProcess.Running> jobs = new ArrayList<>();
        work.forEach((tid, value) -> {
            JsonNode entry = read(value);
            if (entry == null) {
                return;
            }
            JsonNode payload = entry.get("payload");
            String payloadText = payload == null ? null : payload.isTextual() ? payload.textValue() : payload.toString();
            SidekiqJob job = SidekiqJob.parse(payloadText == null ? "{}" : payloadText, null);
            JsonNode runAt = entry.get("run_at");
            jobs.add(new SidekiqProcess.Running(tid, job.jid(), job.jobClass(),
                    entry.path("queue").asText(job.queue()), runAt != null && runAt.isNumber()
                    ? SidekiqVersion.readTimestamp(runAt.doubleValue()) : null, payloadText));
        });
        JsonNode started = info.get("started_at");
        Instant beat = number(fields.get(2)) == null ? null : SidekiqVersion.readTimestamp(number(fields.get(2)));
        Double rss = number(fields.get(4));
        Double busy = number(fields.get(1));
        return new SidekiqProcess(info.path("identity").asText(identity), info.path("hostname").asText(""),
                info.path("pid").asLong(-1), info.hasNonNull("tag") ? info.get("tag").asText() : null,
                info.hasNonNull("version") ? info.get("version").asText() : null, queues,
                info.path("concurrency").asInt(0), busy == null ? 0 : busy.intValue(), "true".equals(fields.get(3)),
                beat, rss == null ? -1 : rss.longValue(),
                started != null && started.isNumber() ? SidekiqVersion.readTimestamp(started.doubleValue()) : null, jobs);
    }

    private static Double number(String text) {
        try {
            return text == null || text.isEmpty() ? null : Double.valueOf(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static JsonNode read(String text) {
        try {
            return text == null ? null : Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    static void checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidInputException("limit", "limit must be between 1 and " + MAX_LIMIT + " (got " + limit + ")");
        }
    }
}
