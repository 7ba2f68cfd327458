package org.sidekiqsupervisor.testing;

import java.util.Map;

import redis.clients.jedis.Jedis;

/**
 * Writes into a Redis what a Sidekiq of a given major version writes: live processes with running work,
 * queues, and the retry, schedule and dead sets. For tests of the reading side; the end-to-end test uses
 * real Sidekiq.
 */
public final class FakeSidekiq implements AutoCloseable {
    private final Jedis redis;
    private final int version;

    public FakeSidekiq(RedisServer server, int version) {
        this.redis = new Jedis("127.0.0.1", server.port());
        this.version = version;
    }

    public Jedis redis() {
        return redis;
    }

    public static String job(String jid, String queue) {
        return "{\"retry\":true,\"queue\":\"" + queue + "\",\"args\":[1],\"class\":\"HardWorker\",\"jid\":\"" + jid
                + "\",\"created_at\":1795887450.1,\"enqueued_at\":1795887450.2}";
    }

    /**
     * A process with a live heartbeat, running these jids (thread id → jid). Its {@code info} is in the version's
     * format: 7.x and 8.x announce their {@code version} (7.3.9, 8.0.4), 6.x does not; 8.x writes {@code started_at} in
     * milliseconds.
     */
    public void liveProcess(String identity, Map<String, String> running) {
        liveProcess(identity, running, switch (version) {
            case 7 -> "7.3.9";
            case 8 -> "8.0.4";
            default -> null;
        });
    }

    /** A live process as {@link #liveProcess(String, Map)}, announcing {@code announced} (null: no version at all). */
    public void liveProcess(String identity, Map<String, String> running, String announced) {
        redis.sadd("processes", identity);
        redis.hset(identity, Map.of("info", "{\"hostname\":\"h\",\"pid\":1,\"concurrency\":5,\"queues\":[\"default\"],"
                        + "\"identity\":\"" + identity + "\",\"started_at\":" + (version == 8 ? "1795887440500" : "1795887440.5")
                        + (announced == null ? "" : ",\"version\":\"" + announced + "\"") + "}",
                "busy", String.valueOf(running.size()), "beat", "1795887455.5", "quiet", "false", "rss", "1024"));
        redis.expire(identity, 60);
        String workKey = identity + (version == 6 ? ":workers" : ":work");
        running.forEach((tid, jid) -> redis.hset(workKey, tid, "{\"queue\":\"default\",\"payload\":"
                + quoted(job(jid, "default")) + ",\"run_at\":1795887451}"));
    }

    /** A process that died: still in the processes set and its work hash, but its heartbeat key expired. */
    public void deadProcess(String identity, String runningJid) {
        redis.sadd("processes", identity);
        redis.hset(identity + (version == 6 ? ":workers" : ":work"), "tid", "{\"queue\":\"default\",\"payload\":"
                + quoted(job(runningJid, "default")) + ",\"run_at\":1795887451}");
    }

    public void enqueued(String jid, String queue) {
        redis.sadd("queues", queue);
        redis.lpush("queue:" + queue, job(jid, queue));
    }

    public void inSet(String set, String jid) {
        redis.zadd(set, 1795887460.0, job(jid, "default"));
    }

    /**
     * A failed job as Sidekiq's retry logic writes it into {@code retry} or {@code dead} for this version: times in
     * float seconds (6.x, 7.x) or integer milliseconds (8.x), the backtrace deflated and Base64-encoded.
     */
    public String failedJob(String jid, String queue, int retryCount) {
        String created = version == 8 ? "1795887450100" : "1795887450.1";
        String failed = version == 8 ? "1795887451300" : "1795887451.3";
        return "{\"retry\":true,\"queue\":\"" + queue + "\",\"args\":[1,\"bob\"],\"class\":\"FlakyJob\",\"jid\":\"" + jid
                + "\",\"created_at\":" + created + ",\"enqueued_at\":" + created + ",\"error_message\":\"boom\","
                + "\"error_class\":\"RuntimeError\",\"failed_at\":" + failed + ",\"retry_count\":" + retryCount
                + ",\"error_backtrace\":\"" + backtrace("app.rb:1:in `perform'", "lib.rb:2") + "\"}";
    }

    /** Lines as Sidekiq stores a backtrace: the JSON array, zlib-deflated, then Base64. */
    public static String backtrace(String... lines) {
        StringBuilder json = new StringBuilder("[");
        for (String line : lines) {
            json.append(json.length() > 1 ? "," : "").append(quoted(line));
        }
        byte[] bytes = json.append(']').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.util.zip.Deflater deflater = new java.util.zip.Deflater();
        deflater.setInput(bytes);
        deflater.finish();
        byte[] out = new byte[bytes.length + 64];
        int n = deflater.deflate(out);
        deflater.end();
        return java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(out, n));
    }

    /** Adds an entry to a sorted set with this score. */
    public void inSet(String set, double score, String entry) {
        redis.zadd(set, score, entry);
    }

    private static String quoted(String json) {
        return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        redis.close();
    }
}
