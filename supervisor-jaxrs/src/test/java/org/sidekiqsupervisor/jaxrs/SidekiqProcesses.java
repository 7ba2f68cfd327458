package org.sidekiqsupervisor.jaxrs;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import redis.clients.jedis.Jedis;

/**
 * Writes Sidekiq processes into Redis as each major version's heartbeat writes them, with the heartbeat's time and the
 * running work under test control: 6.x lists {@code queues} and keeps its work in {@code <identity>:workers} (payload
 * as a hash, {@code run_at} in seconds); 7.x and 8.x describe {@code capsules} and keep it in {@code <identity>:work}
 * (payload as JSON text; 8.x writes {@code run_at} and {@code started_at} in milliseconds).
 */
final class SidekiqProcesses {
    private final Jedis redis;
    private final int version;

    SidekiqProcesses(Jedis redis, int version) {
        this.redis = redis;
        this.version = version;
    }

    /** A job's payload as Sidekiq's client writes it. */
    static String job(String jid, String queue, String jobClass, String args) {
        return "{\"retry\":true,\"queue\":\"" + queue + "\",\"class\":\"" + jobClass + "\",\"args\":" + args + ",\"jid\":\"" + jid
                + "\",\"created_at\":1795887450.1,\"enqueued_at\":1795887450.2}";
    }

    /**
     * A process with its heartbeat key (expiring in 60 s, as Sidekiq's), last beating at {@code beat}.
     *
     * @param running thread id → the job's payload, each running in queue {@code queues.get(0)} since {@code beat} less 90 s
     */
    void process(String identity, String tag, List<String> queues, Instant beat, boolean quiet, Map<String, String> running) {
        String[] parts = identity.split(":");
        double started = beat.minusSeconds(3600).toEpochMilli() / 1000.0;
        String info = "{\"hostname\":\"" + parts[0] + "\",\"started_at\":" + time(started) + ",\"pid\":" + parts[1]
                + ",\"tag\":\"" + tag + "\",\"concurrency\":10," + queuesField(queues) + ",\"labels\":[],\"identity\":\"" + identity
                + "\"" + (version == 6 ? "" : ",\"version\":\"" + (version == 7 ? "7.3.9" : "8.0.9") + "\",\"embedded\":false") + "}";
        redis.sadd("processes", identity);
        redis.hset(identity, Map.of("info", info, "busy", String.valueOf(running.size()), "beat",
                String.valueOf(beat.toEpochMilli() / 1000.0), "quiet", String.valueOf(quiet), "rss", "102400"));
        redis.expire(identity, 60);
        String runAt = version == 8 ? String.valueOf(beat.minusSeconds(90).toEpochMilli())
                : String.valueOf(beat.minusSeconds(90).getEpochSecond());
        running.forEach((tid, payload) -> redis.hset(identity + (version == 6 ? ":workers" : ":work"), tid,
                "{\"queue\":\"" + queues.get(0) + "\",\"payload\":" + (version == 6 ? payload : quoted(payload))
                        + ",\"run_at\":" + runAt + "}"));
    }

    private String queuesField(List<String> queues) {
        if (version == 6) {
            return "\"queues\":[" + queues.stream().map(q -> "\"" + q + "\"").collect(Collectors.joining(",")) + "]";
        }
        return "\"capsules\":{\"default\":{\"concurrency\":10,\"mode\":\"strict\",\"weights\":{"
                + queues.stream().map(q -> "\"" + q + "\":0").collect(Collectors.joining(",")) + "}}}";
    }

    private String time(double seconds) {
        return version == 8 ? String.valueOf(Math.round(seconds * 1000)) : String.valueOf(seconds);
    }

    static String quoted(String json) {
        return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
