package org.sidekiqsupervisor.sidekiq;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Reads where Sidekiq holds jobs, in bounded steps (contract 5b): no command reads more than {@value #CHUNK} entries,
 * and the jids are picked out inside Redis by a short Lua script, so a look sends back some 30 bytes per job instead
 * of the job. A look reads, in this order: the running work of live processes; the retry, schedule and dead sets,
 * each from its highest score down (Sidekiq takes due entries from the lowest end, so none shifts past the reader);
 * super_fetch's private lists; every queue from its head (Sidekiq pushes at the head and takes from the tail, so none
 * shifts past the reader); the running work again. A job moving from a place not read yet to one read already (a
 * rare, narrow window) is missed by one look; contract 5b asks for two looks apart before a job is lost.
 */
final class SidekiqLook {
    /**
     * How many entries one command reads. A script over 1,000 entries took 10-19 ms in Redis on a busy 2-core machine
     * (the backlog benchmark's SLOWLOG), whatever its depth in the list; a hundred keeps each well under the 10 ms that
     * SLOWLOG watches for, at the cost of more round trips (about 11,000 a look over a million jobs, paced anyway).
     */
    static final int CHUNK = 100;
    /** How many entries at each end of a job's queue a recheck reads: where a job put back on it is. */
    static final int RECHECK_WINDOW = 1000;
    /** super_fetch's private lists: {@code queue:sq|IDENTITY|NAME} (Pro 4 and later), {@code queue:sq_IDENTITY_NAME} (3.x). */
    static final String SUPER_FETCH_LISTS = "queue:sq[|_]*";

    /**
     * The jids in one chunk of a list (from its head) or a sorted set (from its highest score): returns the number of
     * entries read and the jids found, so that the reader knows when the key ends.
     */
    private static final String JIDS_IN_CHUNK = """
            local entries
            if ARGV[3] == 'z' then
              entries = redis.call('ZREVRANGE', KEYS[1], ARGV[1], ARGV[2])
            else
              entries = redis.call('LRANGE', KEYS[1], ARGV[1], ARGV[2])
            end
            local jids = {}
            for _, entry in ipairs(entries) do
              for jid in string.gmatch(entry, '"jid":"([%w_%-]+)"') do
                jids[#jids + 1] = jid
              end
            end
            return {#entries, jids}
            """;

    private final Function<Function<Jedis, Object>, Object> redis;
    private final Clock clock;

    SidekiqLook(Function<Function<Jedis, Object>, Object> redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /**
     * One complete look, reading at most {@code entriesPerSecond} entries a second (it sleeps between chunks to keep to
     * it), each chunk on a connection taken from the pool and given back.
     *
     * @throws SidekiqUnavailableException when Redis fails, or the thread is interrupted, part-way: a look under way
     *                                     decides nothing
     */
    HeldJobs look(int entriesPerSecond) {
        HeldJobs.Collector held = new HeldJobs.Collector(clock.instant());
        Pacer pacer = new Pacer(entriesPerSecond);
        runningWork((jid, identity) -> held.add(jid));
        for (String set : List.of("retry", "schedule", "dead")) {
            held.read(chunks(set, true, held::add, pacer));
        }
        for (String list : superFetchLists()) {
            held.read(chunks(list, false, held::add, pacer));
        }
        for (String queue : queues()) {
            held.read(chunks("queue:" + queue, false, held::add, pacer));
        }
        runningWork((jid, identity) -> held.add(jid));
        return held.finish(clock.instant());
    }

    /**
     * Where these jobs are now, read without reading whole queues: the running work, super_fetch's lists, the three
     * sets, and the first and last {@value #RECHECK_WINDOW} entries of each job's queue (where a job put back by a Sidekiq that
     * came back is: Sidekiq pushes at the head, and its shutdown puts unfinished jobs back at the tail). Meant for jobs
     * the looks found missing: a job deep inside a long queue was found there by the looks.
     *
     * @param queueByJid each job with the queue it would be in
     */
    Map<String, JobLocation> recheck(Map<String, String> queueByJid) {
        Map<String, JobLocation> found = new HashMap<>();
        BiConsumer<String, JobLocation> mark = (jid, location) -> {
            if (queueByJid.containsKey(jid)) {
                found.putIfAbsent(jid, location);
            }
        };
        runningWork((jid, identity) -> mark.accept(jid, JobLocation.RUNNING));
        Pacer unpaced = new Pacer(0);
        for (String list : superFetchLists()) {
            chunks(list, false, jid -> mark.accept(jid, JobLocation.RUNNING), unpaced);
        }
        chunks("retry", true, jid -> mark.accept(jid, JobLocation.RETRY), unpaced);
        chunks("schedule", true, jid -> mark.accept(jid, JobLocation.SCHEDULED), unpaced);
        chunks("dead", true, jid -> mark.accept(jid, JobLocation.DEAD), unpaced);
        for (String queue : new TreeSet<>(queueByJid.values())) {
            for (long from = 0; from < RECHECK_WINDOW; from += CHUNK) {
                chunk("queue:" + queue, false, from, from + CHUNK - 1, jid -> mark.accept(jid, JobLocation.QUEUED));
            }
            for (long from = -RECHECK_WINDOW; from < 0; from += CHUNK) {
                chunk("queue:" + queue, false, from, from + CHUNK - 1, jid -> mark.accept(jid, JobLocation.QUEUED));
            }
        }
        runningWork((jid, identity) -> mark.accept(jid, JobLocation.RUNNING));
        queueByJid.keySet().forEach(jid -> found.putIfAbsent(jid, JobLocation.NOWHERE));
        return found;
    }

    /** Every jid in the running work of the live processes (a process whose heartbeat expired is dead, with its work). */
    private void runningWork(BiConsumer<String, String> sink) {
        redis.apply(jedis -> {
            for (String identity : new TreeSet<>(jedis.smembers("processes"))) {
                if (!jedis.exists(identity)) {
                    continue;
                }
                // 6.x keeps it in <identity>:workers, 7.x and 8.x in <identity>:work; one running thread per field.
                for (String suffix : List.of(":workers", ":work")) {
                    for (String work : jedis.hvals(identity + suffix)) {
                        SidekiqPayloads.jidsIn(work, jid -> sink.accept(jid, identity));
                    }
                }
            }
            return null;
        });
    }

    @SuppressWarnings("unchecked")
    private Set<String> queues() {
        return new TreeSet<>((Set<String>) redis.apply(jedis -> jedis.smembers("queues")));
    }

    /** super_fetch's private lists, found with SCAN (a bounded step at a time, never KEYS). */
    private List<String> superFetchLists() {
        List<String> lists = new ArrayList<>();
        redis.apply(jedis -> {
            ScanParams params = new ScanParams().match(SUPER_FETCH_LISTS).count(RECHECK_WINDOW);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, params);
                lists.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
            return null;
        });
        return lists;
    }

    /** Reads a whole key a chunk at a time, paced; returns how many entries it read. */
    private long chunks(String key, boolean sortedSet, Consumer<String> sink, Pacer pacer) {
        long total = 0;
        for (long from = 0; ; from += CHUNK) {
            long read = chunk(key, sortedSet, from, from + CHUNK - 1, sink);
            total += read;
            pacer.read(read);
            if (read < CHUNK) {
                return total;
            }
        }
    }

    /** One chunk of a key: hands each jid in it to {@code sink}, returns how many entries it read. */
    private long chunk(String key, boolean sortedSet, long from, long to, Consumer<String> sink) {
        Object reply = redis.apply(jedis -> jedis.eval(JIDS_IN_CHUNK, List.of(key),
                List.of(Long.toString(from), Long.toString(to), sortedSet ? "z" : "l")));
        List<?> parts = (List<?>) reply;
        long read = (Long) parts.get(0);
        for (Object jid : (List<?>) parts.get(1)) {
            sink.accept(jid instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : jid.toString());
        }
        return read;
    }

    /** Keeps a look to its budget of entries a second by sleeping between chunks; zero: no pacing. */
    private static final class Pacer {
        private final int perSecond;
        private final long startNanos = System.nanoTime();
        private long entries;

        Pacer(int perSecond) {
            this.perSecond = perSecond;
        }

        void read(long count) {
            entries += count;
            if (perSecond <= 0) {
                return;
            }
            long dueNanos = startNanos + entries * 1_000_000_000L / perSecond;
            long waitNanos = dueNanos - System.nanoTime();
            if (waitNanos > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(waitNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SidekiqUnavailableException("the look at Sidekiq was interrupted", e);
                }
            }
        }
    }
}
