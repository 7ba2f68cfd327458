package org.sidekiqsupervisor.sidekiq;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import org.sidekiqsupervisor.internal.Failures;
import org.sidekiqsupervisor.internal.Urls;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * Sidekiq's Redis: where jobs are (running, queued, retry, schedule, dead), pushing a job exactly as
 * Sidekiq's client does, and the live state its Web UI shows. Reads every version's layout (6.x
 * {@code <identity>:workers}, 7.x/8.x {@code <identity>:work}).
 *
 * <p>Thread-safe; owns a small connection pool. Every failure of Redis surfaces as
 * {@link SidekiqUnavailableException}.
 */
public final class SidekiqRedis implements AutoCloseable {
    /** The name the supervisor's connections give themselves ({@code CLIENT SETNAME}). */
    public static final String CLIENT_NAME = "sidekiq-supervisor";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private final JedisPool pool;
    private final String description;
    private final Clock clock;
    private final SidekiqLook look;
    private final SidekiqBrowser browser;
    private final SidekiqActions actions;

    /**
     * Connects to {@code redis://[:password@]host[:port][/db]} or {@code rediss://...}.
     *
     * @throws IllegalArgumentException when the URL is not a Redis URL
     */
    public SidekiqRedis(String url, Clock clock) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("redisUrl is not a URL: " + e.getMessage());
        }
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("redisUrl must look like redis://host:6379/0 or rediss://... (got "
                    + describe(url) + ")");
        }
        JedisPoolConfig config = new JedisPoolConfig();
        config.setMaxTotal(8);
        config.setMaxWait(CONNECT_TIMEOUT);
        config.setJmxEnabled(false);
        // Named, so that an operator (and the backlog benchmark) can tell the supervisor's connections and commands
        // apart in CLIENT LIST and SLOWLOG.
        DefaultJedisClientConfig client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) CONNECT_TIMEOUT.toMillis()).socketTimeoutMillis((int) READ_TIMEOUT.toMillis())
                .user(JedisURIHelper.getUser(uri)).password(JedisURIHelper.getPassword(uri))
                .database(JedisURIHelper.hasDbIndex(uri) ? JedisURIHelper.getDBIndex(uri) : 0)
                .ssl(JedisURIHelper.isRedisSSLScheme(uri)).clientName(CLIENT_NAME).build();
        pool = new JedisPool(config, new HostAndPort(uri.getHost(), uri.getPort() == -1 ? Protocol.DEFAULT_PORT : uri.getPort()), client);
        description = describe(url);
        this.clock = clock;
        this.look = new SidekiqLook(this::withRedis, clock);
        this.browser = new SidekiqBrowser(this::withRedis, SidekiqBrowser.CHUNK, SidekiqBrowser.SCAN_BOUND);
        this.actions = new SidekiqActions(this::withRedis, browser, clock, SidekiqBrowser.CHUNK);
    }

    /** Sidekiq's jobs a page at a time, and its live processes with their running jobs. */
    public SidekiqBrowser browser() {
        return browser;
    }

    /** The actions of Sidekiq's Web UI on its jobs and processes. */
    public SidekiqActions actions() {
        return actions;
    }

    /** The URL without its password, for logs. */
    public String description() {
        return description;
    }

    static String describe(String url) {
        return Urls.withoutCredentials(url);
    }

    /** Checks that Redis answers. */
    public void ping() {
        withRedis(Jedis::ping);
    }

    /**
     * One complete look at every place Sidekiq holds jobs (contract 5b), in bounded steps: see {@link SidekiqLook}.
     *
     * @param entriesPerSecond the most entries to read a second (it sleeps between chunks to keep to it); 0: no limit
     * @throws SidekiqUnavailableException when Redis fails part-way (a look under way decides nothing)
     */
    public HeldJobs look(int entriesPerSecond) {
        return look.look(entriesPerSecond);
    }

    /**
     * Where these jobs are now, read without reading whole queues: meant for jobs the looks found missing, just before
     * a restart pushes them. See {@link SidekiqLook#recheck}.
     *
     * @param queueByJid each job with the queue it would wait in
     */
    public Map<String, JobLocation> recheck(Map<String, String> queueByJid) {
        return look.recheck(queueByJid);
    }

    /** {@code SADD queues <queue>} and {@code LPUSH queue:<queue> <payload>} in one MULTI, as Sidekiq's client. */
    public void push(String queue, String payload) {
        withRedis(redis -> {
            Transaction multi = redis.multi();
            multi.sadd("queues", queue);
            multi.lpush("queue:" + queue, payload);
            List<Object> replies = multi.exec();
            if (replies == null || replies.size() != 2) {
                throw new SidekiqUnavailableException("Redis did not run the push of a job onto queue:" + queue, null);
            }
            return null;
        });
    }

    /**
     * The Sidekiq major version that the live processes announce in their heartbeat ({@code info.version}: 7.x and
     * 8.x announce it, 6.x does not); empty when none does. Reads only the {@code processes} set and each process's
     * {@code info} field (a process whose heartbeat expired has none), in one round trip after the set.
     */
    public Optional<SidekiqVersion> announcedVersion() {
        return withRedis(redis -> {
            Set<String> identities = redis.smembers("processes");
            if (identities.isEmpty()) {
                return Optional.empty();
            }
            List<Response<String>> infos = new ArrayList<>();
            try (Pipeline pipeline = redis.pipelined()) {
                identities.forEach(identity -> infos.add(pipeline.hget(identity, "info")));
                pipeline.sync();
            }
            // Processes of different majors run side by side during a rolling upgrade (7 -> 8): write for the lowest.
            // 7 reads only float seconds, while 8 reads a float as seconds too, so the lowest format suits them all.
            return infos.stream().map(info -> SidekiqPayloads.announcedVersion(info.get())).filter(Objects::nonNull)
                    .min(Comparator.naturalOrder());
        });
    }

    /** The state Sidekiq's Web UI shows: totals, queues with latency, live processes, set sizes. */
    public SidekiqState state() {
        return withRedis(redis -> {
            Instant now = clock.instant();
            List<SidekiqState.Queue> queues = new ArrayList<>();
            long enqueued = 0;
            for (String name : new TreeSet<>(redis.smembers("queues"))) {
                long size = redis.llen("queue:" + name);
                Duration latency = Duration.ZERO;
                // LPUSH puts new jobs at the head: the oldest waits at the tail.
                List<String> oldest = redis.lrange("queue:" + name, -1, -1);
                if (!oldest.isEmpty()) {
                    Instant enqueuedAt = SidekiqPayloads.enqueuedAt(oldest.get(0));
                    if (enqueuedAt != null && enqueuedAt.isBefore(now)) {
                        latency = Duration.between(enqueuedAt, now);
                    }
                }
                enqueued += size;
                queues.add(new SidekiqState.Queue(name, size, latency));
            }
            List<SidekiqState.Process> processes = new ArrayList<>();
            long busy = 0;
            for (String identity : new TreeSet<>(redis.smembers("processes"))) {
                List<String> fields = redis.hmget(identity, "info", "busy", "beat", "quiet", "rss");
                SidekiqState.Process process = SidekiqPayloads.process(identity, fields.get(0), fields.get(1), fields.get(2),
                        fields.get(3), fields.get(4));
                if (process != null) {
                    processes.add(process);
                    busy += process.busy();
                }
            }
            return new SidekiqState(counter(redis.get("stat:processed")), counter(redis.get("stat:failed")), enqueued, busy,
                    redis.zcard("retry"), redis.zcard("schedule"), redis.zcard("dead"), queues, processes);
        });
    }

    private static long counter(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    <T> T withRedis(Function<Jedis, T> work) {
        try (Jedis redis = pool.getResource()) {
            return work.apply(redis);
        } catch (JedisException e) {
            throw new SidekiqUnavailableException("Sidekiq's Redis (" + description + ") did not answer: "
                    + Failures.rootMessage(e), e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
