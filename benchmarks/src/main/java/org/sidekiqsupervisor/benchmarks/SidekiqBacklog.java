package org.sidekiqsupervisor.benchmarks;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * What Sidekiq 7 writes into its Redis, written by the benchmark: live processes (heartbeat hash, {@code <identity>:work}
 * with running jobs), jobs pushed by its client, and a backlog of queued, retrying and dead jobs loaded in bulk. Payloads
 * have the shapes of {@code supervisor-core/src/test/resources/sidekiq/7/*.json}: compact JSON, float epoch seconds.
 *
 * <p>The backlog is generated as it is sent, a thousand entries per command: the benchmark's JVM never holds more than
 * one pipelined round of payloads, whatever the backlog's size.
 */
final class SidekiqBacklog {
    /** Entries per LPUSH/RPUSH/ZADD command while loading, as Sidekiq's {@code push_bulk} sends a thousand at a time. */
    static final int ENTRIES_PER_COMMAND = 1000;
    /** Commands sent before waiting for their replies while loading. */
    static final int COMMANDS_PER_ROUND = 16;
    /** Sidekiq's heartbeat: every 10 s, and its keys expire after 60 s without one. */
    static final int HEARTBEAT_SECONDS = 10;
    static final int HEARTBEAT_TTL_SECONDS = 60;

    private static final List<String> CLASSES = List.of("HardWorker", "MailerJob", "ReportJob", "ImportJob", "WebhookJob",
            "ThumbnailJob", "SyncJob", "CleanupJob");
    private static final HexFormat HEX = HexFormat.of();

    /** How many jobs the backlog holds in each place. */
    record Sizes(long queued, long retries, long dead) {
        /** The other queues beside {@code default}, a fiftieth and a hundredth of its size (at least one job each). */
        Map<String, Long> queues() {
            Map<String, Long> queues = new LinkedHashMap<>();
            queues.put("default", queued);
            queues.put("critical", Math.max(1, queued / 50));
            queues.put("low", Math.max(1, queued / 100));
            return queues;
        }

        long total() {
            return queues().values().stream().mapToLong(Long::longValue).sum() + retries + dead;
        }
    }

    /** A job a live process works on: its payload, under a thread id, in the process's {@code <identity>:work}. */
    record Running(String jid, String jobClass, String argumentsJson, long enqueuedMicros, long runAtMicros) {
    }

    private SidekiqBacklog() {
    }

    /**
     * A jid as Sidekiq's client makes them (24 lowercase hex), distinct for every {@code (kind, n)}: the supervisor's own
     * jobs and each part of the backlog are different kinds, so no backlog entry is ever one of the supervisor's jobs.
     */
    static String jid(int kind, long n) {
        long x = ((long) kind << 48) | n;
        return HEX.toHexDigits(mix(x)) + HEX.toHexDigits((int) x);
    }

    /** SplitMix64's finaliser: a bijection, so distinct inputs give distinct jids. */
    private static long mix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static String jobClass(long n) {
        return CLASSES.get((int) (n % CLASSES.size()));
    }

    /** Realistic arguments: an id, an e-mail address, an options hash. */
    static String arguments(long n) {
        return "[" + n + ",\"user" + (n % 10_000) + "@example.com\",{\"plan\":\"basic\"}]";
    }

    /** Epoch microseconds as Sidekiq 7 writes times: float epoch seconds. */
    static String seconds(long micros) {
        long whole = Math.floorDiv(micros, 1_000_000L);
        long fraction = Math.floorMod(micros, 1_000_000L);
        return whole + "." + String.format("%06d", fraction);
    }

    /** The payload Sidekiq 7's client pushes onto {@code queue:<name>}. */
    static String payload(String jid, String jobClass, String queue, String argumentsJson, long enqueuedMicros) {
        return "{\"retry\":true,\"queue\":\"" + queue + "\",\"args\":" + argumentsJson + ",\"class\":\"" + jobClass + "\",\"jid\":\""
                + jid + "\",\"created_at\":" + seconds(enqueuedMicros - 1_873) + ",\"enqueued_at\":" + seconds(enqueuedMicros) + "}";
    }

    /** A payload after a failure, as {@code Sidekiq::JobRetry} leaves it in the retry set (or, out of retries, in dead). */
    static String failed(String jid, long n, long failedMicros, int retryCount) {
        String payload = payload(jid, jobClass(n), "default", arguments(n), failedMicros - 45_000_000L);
        return payload.substring(0, payload.length() - 1) + ",\"error_message\":\"Net::ReadTimeout with #<TCPSocket:(closed)>\","
                + "\"error_class\":\"Net::ReadTimeout\",\"failed_at\":" + seconds(failedMicros - 40_000_000L) + ",\"retry_count\":"
                + retryCount + ",\"retried_at\":" + seconds(failedMicros) + "}";
    }

    /** {@code SADD queues <queue>} and {@code LPUSH queue:<queue> <payload>}, as Sidekiq's client pushes one job. */
    static void push(Jedis redis, String queue, String payload) {
        redis.sadd("queues", queue);
        redis.lpush("queue:" + queue, payload);
    }

    /** The heartbeat hash's {@code info}, as Sidekiq 7.3 writes it. */
    static String processInfo(String identity, String hostname, int pid, long startedMicros) {
        return "{\"hostname\":\"" + hostname + "\",\"started_at\":" + seconds(startedMicros) + ",\"pid\":" + pid
                + ",\"tag\":\"app\",\"concurrency\":25,\"queues\":[\"default\",\"critical\",\"low\"],"
                + "\"weights\":[{\"default\":0,\"critical\":0,\"low\":0}],\"labels\":[],\"identity\":\"" + identity
                + "\",\"version\":\"7.3.9\",\"embedded\":false}";
    }

    /**
     * A live Sidekiq 7 process working on {@code running}: in {@code processes}, its heartbeat hash, and its
     * {@code <identity>:work} (thread id → {@code {"queue", "payload" (JSON text), "run_at"}}), both expiring as Sidekiq's do.
     */
    static void liveProcess(Jedis redis, String identity, String hostname, int pid, long nowMicros, List<Running> running) {
        redis.sadd("processes", identity);
        Map<String, String> work = new LinkedHashMap<>();
        for (int i = 0; i < running.size(); i++) {
            Running job = running.get(i);
            String payload = payload(job.jid(), job.jobClass(), "default", job.argumentsJson(), job.enqueuedMicros());
            work.put(Long.toString(1_000_000L + pid * 100L + i, 36), "{\"queue\":\"default\",\"payload\":" + quoted(payload)
                    + ",\"run_at\":" + job.runAtMicros() / 1_000_000L + "}");
        }
        if (!work.isEmpty()) {
            redis.hset(identity + ":work", work);
        }
        redis.hset(identity, Map.of("info", processInfo(identity, hostname, pid, nowMicros - 3_600_000_000L),
                "busy", String.valueOf(running.size()), "beat", seconds(nowMicros), "quiet", "false", "rss", "184320",
                "rtt_us", "250"));
        redis.expire(identity, HEARTBEAT_TTL_SECONDS);
        redis.expire(identity + ":work", HEARTBEAT_TTL_SECONDS);
    }

    /** The commands {@link #beat} sends, by the names {@code INFO commandstats} counts them under. */
    static final List<String> BEAT_COMMANDS = List.of("hset", "expire", "expire");

    /** One heartbeat of a live process: its beat time, and both keys' expiry pushed back. */
    static void beat(Jedis redis, String identity, long nowMicros) {
        redis.hset(identity, "beat", seconds(nowMicros));
        redis.expire(identity, HEARTBEAT_TTL_SECONDS);
        redis.expire(identity + ":work", HEARTBEAT_TTL_SECONDS);
    }

    /**
     * Loads the backlog behind what is already queued: each queue's jobs enqueued between three hours and one hour ago
     * (RPUSH, newest first, so the oldest waits at the tail, next to run, as after Sidekiq's LPUSHes); retries failed in
     * the last three hours, due over the next three; dead jobs that died over the last half year.
     *
     * @return the entries loaded
     */
    static long load(Jedis redis, Sizes sizes, long nowMicros) {
        long loaded = 0;
        long hour = 3_600_000_000L;
        int kind = 1;
        for (Map.Entry<String, Long> queue : sizes.queues().entrySet()) {
            String name = queue.getKey();
            long count = queue.getValue();
            int queueKind = kind++;
            redis.sadd("queues", name);
            loaded += send(redis, count, (pipeline, from, to) -> {
                List<String> values = new ArrayList<>((int) (to - from));
                for (long n = from; n < to; n++) {
                    values.add(payload(jid(queueKind, n), jobClass(n), name, arguments(n), queuedAt(nowMicros, count, n)));
                }
                pipeline.rpush("queue:" + name, values.toArray(String[]::new));
            });
        }
        loaded += send(redis, sizes.retries(), (pipeline, from, to) -> {
            Map<String, Double> members = new LinkedHashMap<>();
            for (long n = from; n < to; n++) {
                long failed = nowMicros - 3 * hour + (3 * hour - 600_000_000L) * n / sizes.retries();
                long due = nowMicros + (3 * hour) * n / sizes.retries() + 1_000_000L;
                members.put(failed(jid(10, n), n, failed, (int) (n % 10)), due / 1e6);
            }
            pipeline.zadd("retry", members);
        });
        loaded += send(redis, sizes.dead(), (pipeline, from, to) -> {
            Map<String, Double> members = new LinkedHashMap<>();
            for (long n = from; n < to; n++) {
                long died = nowMicros - 180L * 24 * hour + (180L * 24 * hour - hour) * n / sizes.dead();
                members.put(failed(jid(11, n), n, died, 25), died / 1e6);
            }
            pipeline.zadd("dead", members);
        });
        return loaded;
    }

    /** When the {@code n}-th of a queue's {@code count} backlog jobs was enqueued: between three hours and one hour ago. */
    private static long queuedAt(long nowMicros, long count, long n) {
        long hour = 3_600_000_000L;
        return nowMicros - hour - (2 * hour) * n / count;
    }

    /** One job of the queues' backlog, as the client middleware reports it queued. */
    record QueuedJob(String jid, String jobClass, String queue, String argumentsJson, long enqueuedMicros) {
    }

    /** Every job {@link #load} puts in the queues (not the retries and the dead: those failed before), in load order. */
    static void forEachQueued(Sizes sizes, long nowMicros, java.util.function.Consumer<QueuedJob> each) {
        int kind = 1;
        for (Map.Entry<String, Long> queue : sizes.queues().entrySet()) {
            long count = queue.getValue();
            int queueKind = kind++;
            for (long n = 0; n < count; n++) {
                each.accept(new QueuedJob(jid(queueKind, n), jobClass(n), queue.getKey(), arguments(n), queuedAt(nowMicros, count, n)));
            }
        }
    }

    private interface Chunk {
        void send(Pipeline pipeline, long from, long to);
    }

    /** Sends {@code count} entries, a command per {@link #ENTRIES_PER_COMMAND}, waiting for replies every round. */
    private static long send(Jedis redis, long count, Chunk chunk) {
        try (Pipeline pipeline = redis.pipelined()) {
            int pending = 0;
            for (long from = 0; from < count; from += ENTRIES_PER_COMMAND) {
                chunk.send(pipeline, from, Math.min(count, from + ENTRIES_PER_COMMAND));
                if (++pending == COMMANDS_PER_ROUND) {
                    pipeline.sync();
                    pending = 0;
                }
            }
            pipeline.sync();
        }
        return count;
    }

    /** JSON text as a JSON string: how Sidekiq 7 keeps a running job's payload inside its work entry. */
    static String quoted(String json) {
        return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
