package org.sidekiqsupervisor.store.jdbi;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobTimings;

/**
 * What one transaction adds to the rollups (V13; days since V16): the events it recorded, per status, and the waits and
 * runs they told (see {@link JobTimings}), per job class in {@link DurationHistogram} buckets; each in the minute, the
 * hour and the day (UTC) of the time the batch was received. Folded in memory while the batch is applied, then written as one additive update per
 * row ({@code n = n + delta}) to one shard: a batch of a thousand events of one class changes a few dozen rows, not a
 * thousand. Rollups record what was received: deleting or pruning a job later does not take its events back out.
 */
final class Rollups {
    /** The minute buckets' length in seconds, as the {@code span_s} column keeps it. */
    static final int MINUTE_S = 60;
    /** The hour buckets' length in seconds. */
    static final int HOUR_S = 3600;
    /** The day buckets' length in seconds (V16): days since the epoch, so UTC days. */
    static final int DAY_S = 86_400;
    /** Every bucket length, shortest first; each a whole number of the one before it. */
    static final List<Integer> SPANS = List.of(MINUTE_S, HOUR_S, DAY_S);
    /** The bucket lengths of V13, which the V14 upgrade fills in (V16 then adds the days from the hours). */
    static final List<Integer> V13_SPANS = List.of(MINUTE_S, HOUR_S);
    /** The {@code measured} value of a wait (queued to started). */
    static final String WAIT = "wait";
    /** The {@code measured} value of a run (started to complete). */
    static final String RUN = "run";
    /**
     * Shards of the rollups on PostgreSQL, where commits overlap: a transaction adds to one picked at random, so two
     * writers rarely wait on the same row. H2 commits one transaction at a time, so there all go to one shard (more would
     * only multiply the rows a read sums).
     */
    static final int POSTGRES_SHARDS = 4;

    /** One row of the event rollups within a shard. Ordered, so that transactions take the rows in one order. */
    record EventKey(int spanS, long bucketUs, String status) implements Comparable<EventKey> {
        private static final Comparator<EventKey> ORDER = Comparator.comparingInt(EventKey::spanS)
                .thenComparingLong(EventKey::bucketUs).thenComparing(EventKey::status);

        @Override
        public int compareTo(EventKey other) {
            return ORDER.compare(this, other);
        }
    }

    /** One row of the timing rollups within a shard, ordered likewise. */
    record TimingKey(int spanS, long bucketUs, String jobClass, String measured, int durationBucket) implements Comparable<TimingKey> {
        private static final Comparator<TimingKey> ORDER = Comparator.comparingInt(TimingKey::spanS)
                .thenComparingLong(TimingKey::bucketUs).thenComparing(TimingKey::jobClass).thenComparing(TimingKey::measured)
                .thenComparingInt(TimingKey::durationBucket);

        @Override
        public int compareTo(TimingKey other) {
            return ORDER.compare(this, other);
        }
    }

    /** What a transaction adds to one timing row: how many, their total, the least and the greatest. */
    record Timing(long jobs, long totalUs, long minUs, long maxUs) {
        Timing plus(long us) {
            return new Timing(jobs + 1, totalUs + us, Math.min(minUs, us), Math.max(maxUs, us));
        }
    }

    private final List<Integer> spans;
    private final TreeMap<EventKey, Long> events = new TreeMap<>();
    private final TreeMap<TimingKey, Timing> timings = new TreeMap<>();

    /** What the write path adds: every bucket length. */
    Rollups() {
        this(SPANS);
    }

    /** Adding to the buckets of {@code spans} only (the V14 upgrade: those of V13). */
    Rollups(List<Integer> spans) {
        this.spans = List.copyOf(spans);
    }

    /** Where the bucket of {@code spanS} seconds holding {@code us} starts, in epoch microseconds. */
    static long bucketStart(long us, int spanS) {
        long span = spanS * 1_000_000L;
        return Math.floorDiv(us, span) * span;
    }

    /** {@code event} was applied (it is no duplicate), leaving its job as {@code job}; the batch was received then. */
    void applied(JobEvent event, Job job, long receivedUs) {
        counted(event.status().wireName(), receivedUs);
        Duration wait = JobTimings.waitToldBy(event, job);
        if (wait != null) {
            timing(WAIT, job.jobClass(), micros(wait), receivedUs);
        }
        Duration run = JobTimings.runToldBy(event, job);
        if (run != null) {
            timing(RUN, job.jobClass(), micros(run), receivedUs);
        }
    }

    /** An event of {@code status} recorded, in a batch received at {@code receivedUs}. */
    void counted(String status, long receivedUs) {
        for (int span : spans) {
            events.merge(new EventKey(span, bucketStart(receivedUs, span), status), 1L, Long::sum);
        }
    }

    /** A wait or run of {@code us} microseconds, told by an event received at {@code receivedUs}. */
    void timing(String measured, String jobClass, long us, long receivedUs) {
        int durationBucket = DurationHistogram.bucket(us);
        for (int span : spans) {
            timings.merge(new TimingKey(span, bucketStart(receivedUs, span), Aggregates.classKey(jobClass), measured, durationBucket),
                    new Timing(1, us, us, us), (a, b) -> a.plus(us));
        }
    }

    /** What this transaction adds to the event rows, in key order. */
    Map<EventKey, Long> events() {
        return events;
    }

    /** What this transaction adds to the timing rows, in key order. */
    Map<TimingKey, Timing> timings() {
        return timings;
    }

    /**
     * Adds this transaction's change to shard {@code shard}: timings, then events, each in key order, so that two
     * transactions on one shard take its rows in the same order. A row that does not exist yet is inserted; a concurrent
     * transaction that inserts the same row first makes this one fail with a unique violation, and the caller's
     * transaction is tried again whole (nothing of this one was committed, so nothing is counted twice).
     */
    void write(Handle handle, String eventTable, String timingTable, int shard) {
        if (!timings.isEmpty()) {
            PreparedBatch updates = handle.prepareBatch("update " + timingTable + " set jobs = jobs + :jobs, total_us = total_us + :total_us, "
                    + "min_us = least(min_us, :min_us), max_us = greatest(max_us, :max_us) where span_s = :span_s and bucket_us = :bucket_us "
                    + "and job_class = :job_class and measured = :measured and duration_bucket = :duration_bucket and shard = :shard");
            List<Map.Entry<TimingKey, Timing>> rows = List.copyOf(timings.entrySet());
            rows.forEach(row -> bindTiming(updates, row, shard).add());
            int[] updated = updates.execute();
            PreparedBatch inserts = handle.prepareBatch("insert into " + timingTable + " (span_s, bucket_us, job_class, measured, "
                    + "duration_bucket, shard, jobs, total_us, min_us, max_us) values (:span_s, :bucket_us, :job_class, :measured, "
                    + ":duration_bucket, :shard, :jobs, :total_us, :min_us, :max_us)");
            for (int i = 0; i < rows.size(); i++) {
                if (updated[i] == 0) {
                    bindTiming(inserts, rows.get(i), shard).add();
                }
            }
            if (inserts.size() > 0) {
                inserts.execute();
            }
        }
        if (!events.isEmpty()) {
            PreparedBatch updates = handle.prepareBatch("update " + eventTable + " set events = events + :events "
                    + "where span_s = :span_s and bucket_us = :bucket_us and status = :status and shard = :shard");
            List<Map.Entry<EventKey, Long>> rows = List.copyOf(events.entrySet());
            rows.forEach(row -> bindEvents(updates, row, shard).add());
            int[] updated = updates.execute();
            PreparedBatch inserts = handle.prepareBatch("insert into " + eventTable + " (span_s, bucket_us, status, shard, events) "
                    + "values (:span_s, :bucket_us, :status, :shard, :events)");
            for (int i = 0; i < rows.size(); i++) {
                if (updated[i] == 0) {
                    bindEvents(inserts, rows.get(i), shard).add();
                }
            }
            if (inserts.size() > 0) {
                inserts.execute();
            }
        }
    }

    private static PreparedBatch bindTiming(PreparedBatch batch, Map.Entry<TimingKey, Timing> row, int shard) {
        TimingKey key = row.getKey();
        Timing timing = row.getValue();
        return batch.bind("span_s", key.spanS()).bind("bucket_us", key.bucketUs()).bind("job_class", key.jobClass())
                .bind("measured", key.measured()).bind("duration_bucket", key.durationBucket()).bind("shard", shard)
                .bind("jobs", timing.jobs()).bind("total_us", timing.totalUs()).bind("min_us", timing.minUs())
                .bind("max_us", timing.maxUs());
    }

    private static PreparedBatch bindEvents(PreparedBatch batch, Map.Entry<EventKey, Long> row, int shard) {
        EventKey key = row.getKey();
        return batch.bind("span_s", key.spanS()).bind("bucket_us", key.bucketUs()).bind("status", key.status())
                .bind("shard", shard).bind("events", row.getValue());
    }

    private static long micros(Duration duration) {
        return Math.addExact(Math.multiplyExact(duration.getSeconds(), 1_000_000L), duration.getNano() / 1_000);
    }
}
