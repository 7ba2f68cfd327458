package org.sidekiqsupervisor.sidekiq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.internal.Json;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * Sidekiq's Web UI actions, writing what its API ({@code Sidekiq::SortedEntry}, {@code Sidekiq::DeadSet},
 * {@code Sidekiq::Queue}, {@code Sidekiq::Process}) writes for each version. An entry leaves its set only by
 * {@code ZREM} of its exact member, in one script with what follows it (the push onto its queue, the move to dead), so
 * an entry that moved meanwhile (ZREM answers 0) is skipped as {@code gone} and none is acted on twice.
 */
public final class SidekiqActions {
    /** Sidekiq's defaults for the dead set: {@code dead_max_jobs} and {@code dead_timeout_in_seconds} (6 months). */
    public static final int DEAD_MAX_JOBS = 10_000;
    public static final Duration DEAD_TIMEOUT = Duration.ofDays(180);
    /** The most jids one action names, and the most a queue's clear lists. */
    public static final int MAX_LISTED = 1000;
    /** The most entries one filtered action acts on. */
    public static final int MAX_MATCHED = 10_000;
    /** How far from the next to run a delete by jid looks for the jobs in a queue. */
    public static final int QUEUE_SEARCH_BOUND = 10_000;

    /** ZREM the entry; only if it was there, {@code SADD queues} and {@code LPUSH queue:<name>} (Client#atomic_push). */
    private static final String MOVE_TO_QUEUE = """
            if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
            redis.call('SADD', KEYS[2], ARGV[2])
            redis.call('LPUSH', KEYS[3], ARGV[3])
            return 1
            """;
    /** ZREM the entry; only if it was there, DeadSet#kill: ZADD dead now, trim by age, trim by count. */
    private static final String KILL = """
            if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
            redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
            redis.call('ZREMRANGEBYRANK', KEYS[2], 0, ARGV[4])
            return 1
            """;

    /** An action on a sorted set's entries. */
    public enum SetAction {
        /** Retry now (retries, dead): {@code SortedEntry#retry}. */
        RETRY,
        /** Enqueue now (scheduled): {@code SortedEntry#add_to_queue}. */
        ENQUEUE,
        /** {@code SortedEntry#delete}: ZREM. */
        DELETE,
        /** Move to dead (retries): {@code SortedEntry#kill}. */
        KILL
    }

    private final Function<Function<Jedis, Object>, Object> redis;
    private final SidekiqBrowser browser;
    private final Clock clock;
    private final int chunk;

    SidekiqActions(Function<Function<Jedis, Object>, Object> redis, SidekiqBrowser browser, Clock clock, int chunk) {
        this.redis = redis;
        this.browser = browser;
        this.clock = clock;
        this.chunk = chunk;
    }

    /**
     * The entries of a set an action names: those with the given jids (each found once; a jid not in the set is
     * reported in {@code missing}), or every entry holding {@code filter}, read a chunk at a time.
     */
    public List<SidekiqJob> select(SidekiqSet set, List<String> jids, String filter, List<String> missing) {
        Set<String> wanted = new LinkedHashSet<>(jids);
        List<SidekiqJob> found = new ArrayList<>();
        Map<String, SidekiqJob> byJid = new LinkedHashMap<>();
        SetReader reader = new SetReader(redis, set, chunk, null);
        boolean byFilter = wanted.isEmpty();
        while (reader.next(job -> {
            if (byFilter) {
                if (job.matches(filter)) {
                    found.add(job);
                }
                return found.size() < MAX_MATCHED;
            }
            if (job.jid() != null && wanted.contains(job.jid()) && !byJid.containsKey(job.jid())) {
                byJid.put(job.jid(), job);
            }
            return byJid.size() < wanted.size();
        })) {
            // next chunk
        }
        if (!byFilter) {
            for (String jid : wanted) {
                if (byJid.containsKey(jid)) {
                    found.add(byJid.get(jid));
                } else {
                    missing.add(jid);
                }
            }
        }
        return found;
    }

    /**
     * Acts on entries read from a set, as Sidekiq's Web UI does for {@code version}.
     *
     * @throws InvalidInputException when the action does not apply to the set (kill outside retries, enqueue outside
     *                               scheduled, retry on scheduled)
     */
    public SidekiqActionResult act(SidekiqSet set, SetAction action, List<SidekiqJob> entries, SidekiqVersion version,
                                   boolean dryRun) {
        check(set, action);
        List<String> done = new ArrayList<>();
        List<SidekiqActionResult.Skipped> skipped = new ArrayList<>();
        for (SidekiqJob entry : entries) {
            String jid = entry.jid() == null ? "" : entry.jid();
            boolean acted = dryRun || switch (action) {
                case DELETE -> (Long) redis.apply(jedis -> jedis.zrem(set.key(), entry.raw())) == 1;
                case RETRY, ENQUEUE -> moveToQueue(set, entry, action == SetAction.RETRY, version);
                case KILL -> kill(set, entry);
            };
            if (acted) {
                done.add(jid);
            } else {
                skipped.add(new SidekiqActionResult.Skipped(jid, "gone"));
            }
        }
        return new SidekiqActionResult(done, skipped, done.size());
    }

    /**
     * Checks that an action applies to a set, as Sidekiq's Web UI offers it.
     *
     * @throws InvalidInputException naming {@code action} when it does not
     */
    public static void check(SidekiqSet set, SetAction action) {
        boolean fits = switch (action) {
            case DELETE -> true;
            case RETRY -> set != SidekiqSet.SCHEDULED;
            case ENQUEUE -> set == SidekiqSet.SCHEDULED;
            case KILL -> set == SidekiqSet.RETRY;
        };
        if (!fits) {
            throw new InvalidInputException("action", "action " + action.name().toLowerCase() + " does not apply to "
                    + set.wireName());
        }
    }

    private boolean moveToQueue(SidekiqSet set, SidekiqJob entry, boolean retry, SidekiqVersion version) {
        ObjectNode job = requeued(entry, retry, clock.instant(), version);
        String queue = job.get("queue").asText();
        String payload;
        try {
            payload = Json.MAPPER.writeValueAsString(job);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Object replied = redis.apply(jedis -> jedis.eval(MOVE_TO_QUEUE, List.of(set.key(), "queues", "queue:" + queue),
                List.of(entry.raw(), queue, payload)));
        return Long.valueOf(1).equals(replied);
    }

    /**
     * The job as {@code Sidekiq::Client.push} writes it back after {@code SortedEntry#retry} ({@code retry_count}
     * less one where present) or {@code #add_to_queue}: the default options ({@code retry: true},
     * {@code queue: "default"}) merged under the job's own keys (so they come first), {@code created_at} kept (set
     * where missing) and {@code enqueued_at} now, in the version's format.
     */
    static ObjectNode requeued(SidekiqJob entry, boolean retry, Instant now, SidekiqVersion version) {
        if (!entry.hash().isObject()) {
            throw new IllegalStateException("not a job");
        }
        ObjectNode item = ((ObjectNode) entry.hash()).deepCopy();
        if (retry && item.hasNonNull("retry_count") && item.get("retry_count").isIntegralNumber()) {
            item.put("retry_count", item.get("retry_count").bigIntegerValue().subtract(java.math.BigInteger.ONE));
        }
        ObjectNode job = JsonNodeFactory.instance.objectNode();
        job.set("retry", item.has("retry") ? item.get("retry") : JsonNodeFactory.instance.booleanNode(true));
        JsonNode queue = item.get("queue");
        job.put("queue", queue == null || queue.isNull() || queue.asText().isEmpty() ? "default" : queue.asText());
        for (Map.Entry<String, JsonNode> field : item.properties()) {
            if (!field.getKey().equals("retry") && !field.getKey().equals("queue")) {
                job.set(field.getKey(), field.getValue());
            }
        }
        RawValue time = new RawValue(timestamp(version, now));
        if (!job.hasNonNull("created_at")) {
            job.putRawValue("created_at", time);
        }
        job.putRawValue("enqueued_at", time);
        return job;
    }

    private static String timestamp(SidekiqVersion version, Instant time) {
        Number value = version.timestamp(time);
        return value instanceof java.math.BigDecimal decimal ? decimal.toPlainString() : String.valueOf(value.longValue());
    }

    private boolean kill(SidekiqSet set, SidekiqJob entry) {
        double now = clock.instant().toEpochMilli() / 1000.0;
        Object replied = redis.apply(jedis -> jedis.eval(KILL, List.of(set.key(), SidekiqSet.DEAD.key()),
                List.of(entry.raw(), Double.toString(now), Double.toString(now - DEAD_TIMEOUT.toSeconds()),
                        String.valueOf(-DEAD_MAX_JOBS))));
        return Long.valueOf(1).equals(replied);
    }

    /**
     * Deletes the jobs with these jids from a queue ({@code Sidekiq::JobRecord#delete}: {@code LREM queue:<name> 1
     * <entry>}), or every job holding {@code filter}; the queue is read a chunk at a time from the tail. Jids are looked
     * for among the next {@value #QUEUE_SEARCH_BOUND} jobs to run only (where the queue page that lists them shows them):
     * one not there is skipped as {@code not_found} rather than read for through a queue of millions.
     */
    public SidekiqActionResult deleteFromQueue(String name, List<String> jids, String filter, boolean dryRun) {
        Set<String> wanted = new LinkedHashSet<>(jids);
        Map<String, String> byJid = new LinkedHashMap<>();
        List<SidekiqJob> matched = new ArrayList<>();
        String cursor = null;
        long scanned = 0;
        do {
            if (!wanted.isEmpty() && scanned >= QUEUE_SEARCH_BOUND) {
                break;
            }
            SidekiqPage page = browser.queue(name, chunk, cursor);
            scanned += page.jobs().size();
            for (SidekiqJob job : page.jobs()) {
                if (wanted.isEmpty() ? job.matches(filter) && matched.size() < MAX_MATCHED : wanted.contains(job.jid())) {
                    matched.add(job);
                    byJid.putIfAbsent(job.jid(), job.raw());
                }
            }
            cursor = page.nextCursor();
        } while (cursor != null && (wanted.isEmpty() ? matched.size() < MAX_MATCHED : byJid.size() < wanted.size()));
        List<String> done = new ArrayList<>();
        List<SidekiqActionResult.Skipped> skipped = new ArrayList<>();
        for (String jid : wanted) {
            if (!byJid.containsKey(jid)) {
                skipped.add(new SidekiqActionResult.Skipped(jid, "not_found"));
            }
        }
        List<SidekiqJob> targets = wanted.isEmpty() ? matched
                : byJid.entrySet().stream().map(e -> SidekiqJob.parse(e.getValue(), null)).toList();
        for (SidekiqJob job : targets) {
            boolean acted = dryRun || (Long) redis.apply(jedis -> jedis.lrem("queue:" + name, 1, job.raw())) > 0;
            if (acted) {
                done.add(job.jid());
            } else {
                skipped.add(new SidekiqActionResult.Skipped(job.jid(), "gone"));
            }
        }
        return new SidekiqActionResult(done, skipped, done.size());
    }

    /**
     * Clears a queue as {@code Sidekiq::Queue#clear}: {@code UNLINK queue:<name>} and {@code SREM queues <name>} in one
     * MULTI, reading in the same MULTI its size and the jids of its first {@value #MAX_LISTED} jobs (next to run first).
     */
    public SidekiqActionResult clearQueue(String name, boolean dryRun) {
        @SuppressWarnings("unchecked")
        List<Object> replies = (List<Object>) redis.apply(jedis -> {
            Transaction multi = jedis.multi();
            multi.llen("queue:" + name);
            multi.lrange("queue:" + name, -MAX_LISTED, -1);
            if (!dryRun) {
                multi.unlink("queue:" + name);
                multi.srem("queues", name);
            }
            return multi.exec();
        });
        @SuppressWarnings("unchecked")
        List<String> entries = new ArrayList<>((List<String>) replies.get(1));
        java.util.Collections.reverse(entries);
        List<String> done = entries.stream().map(raw -> SidekiqJob.parse(raw, null).jid()).toList();
        return new SidekiqActionResult(done, List.of(), (Long) replies.get(0));
    }

    /**
     * Tells a process to quiet ({@code TSTP}) or stop ({@code TERM}) as {@code Sidekiq::Process#signal}: {@code LPUSH
     * <identity>-signals <signal>} and {@code EXPIRE <identity>-signals 60} in one MULTI; it obeys on its next beat.
     */
    public void signal(String identity, String signal) {
        if (!signal.equals("TSTP") && !signal.equals("TERM")) {
            throw new IllegalArgumentException("signal must be TSTP or TERM");
        }
        redis.apply(jedis -> {
            Transaction multi = jedis.multi();
            multi.lpush(identity + "-signals", signal);
            multi.expire(identity + "-signals", 60);
            return multi.exec();
        });
    }
}
