package org.sidekiqsupervisor.store.jdbi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobTimings;

/**
 * What one transaction adds to the rollups (V13; days since V16; pending since V19): the events it recorded, per status,
 * and the waits and runs they told (see {@link JobTimings}), per job class in {@link DurationHistogram} buckets; all by
 * the minute, the hour and the day (UTC) of the time the batch was received.
 *
 * <p>The write path adds them as pending rows ({@code pending_rollups}, V19): per minute of the transaction, one row of
 * its event counts per status and one per job class and measure (wait or run) holding its histogram, each as text;
 * inserts that conflict with nothing. {@link RollupFolding#foldPending}, which the store runs every second, adds them,
 * many transactions' at once, to the event and timing rollups of every bucket length (shard 0) and deletes them in the
 * same transaction, and reads add the rows still pending ({@link ActivityStatistics}), so every figure is exact whether
 * a row has been folded or not. Why: a duration bucket is 1.6 % wide, so a transaction's waits and runs seldom share
 * one, and added to the rollups row by row a batch of 990 events in 20 classes updated about 1,900 rows (a row per
 * class, measure, duration bucket and bucket length) and about nine of counts: the write path ran 0.79x (H2) and 0.82x
 * (PostgreSQL) as fast as without the rollups. As pending rows it inserts about 40.
 *
 * <p>The rows of the rollups themselves are written by {@link #write} as one additive update per row
 * ({@code n = n + delta}) to one shard: by the fold, and by the V14 upgrade. Rollups record what was received: deleting
 * or pruning a job later does not take its events back out.
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
    /** The {@code measured} value of a pending row of event counts (its job class is empty). */
    static final String EVENTS = "events";
    /**
     * Shards of the rollups on PostgreSQL before V19, where commits overlapped: a transaction added to one picked at
     * random, so two writers rarely waited on the same row. Since V19 the write path adds pending rows and the fold adds
     * to shard 0; rows of other shards are those of before (or of a supervisor not yet upgraded), which the hourly pass
     * folds ({@link RollupFolding#fold}).
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

    /**
     * One pending row: a minute's event counts ({@link #EVENTS}, job class empty), or waits or runs of one class, from one
     * transaction.
     */
    record PendingKey(long minuteUs, String jobClass, String measured) implements Comparable<PendingKey> {
        private static final Comparator<PendingKey> ORDER = Comparator.comparingLong(PendingKey::minuteUs)
                .thenComparing(PendingKey::jobClass).thenComparing(PendingKey::measured);

        @Override
        public int compareTo(PendingKey other) {
            return ORDER.compare(this, other);
        }
    }

    /** One pending row as it is written: its key, and its counts or histogram as text. */
    record PendingRow(PendingKey key, String text) {
    }

    /** What a transaction adds to one timing row: how many, their total, the least and the greatest. */
    record Timing(long jobs, long totalUs, long minUs, long maxUs) {
        Timing plus(long us) {
            return new Timing(jobs + 1, totalUs + us, Math.min(minUs, us), Math.max(maxUs, us));
        }

        Timing plus(Timing other) {
            return new Timing(jobs + other.jobs, totalUs + other.totalUs, Math.min(minUs, other.minUs), Math.max(maxUs, other.maxUs));
        }
    }

    private final List<Integer> spans;
    private final TreeMap<EventKey, Long> events = new TreeMap<>();
    private final TreeMap<TimingKey, Timing> timings = new TreeMap<>();
    private final TreeMap<PendingKey, DurationHistogram> pendingTimings = new TreeMap<>();
    private final TreeMap<Long, TreeMap<String, Long>> pendingCounts = new TreeMap<>();

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
        pendingCount(event.status().wireName(), receivedUs);
        Duration wait = JobTimings.waitToldBy(event, job);
        if (wait != null) {
            pendingTiming(WAIT, job.jobClass(), micros(wait), receivedUs);
        }
        Duration run = JobTimings.runToldBy(event, job);
        if (run != null) {
            pendingTiming(RUN, job.jobClass(), micros(run), receivedUs);
        }
    }

    /** An event of {@code status} recorded, in a batch received at {@code receivedUs}, for a pending row. */
    void pendingCount(String status, long receivedUs) {
        pendingCounts.computeIfAbsent(bucketStart(receivedUs, MINUTE_S), minute -> new TreeMap<>()).merge(status, 1L, Long::sum);
    }

    /** A wait or run of {@code us} microseconds told by an event received at {@code receivedUs}, for a pending row. */
    void pendingTiming(String measured, String jobClass, long us, long receivedUs) {
        pendingTimings.computeIfAbsent(new PendingKey(bucketStart(receivedUs, MINUTE_S), Aggregates.classKey(jobClass), measured),
                key -> new DurationHistogram()).add(DurationHistogram.bucket(us), 1, us, us, us);
    }

    /** The pending rows this transaction inserts: per minute its counts, then its classes' waits and runs. */
    List<PendingRow> pendingRows() {
        List<PendingRow> rows = new ArrayList<>(pendingCounts.size() + pendingTimings.size());
        pendingCounts.forEach((minuteUs, counts) -> rows.add(new PendingRow(new PendingKey(minuteUs, "", EVENTS), countsText(counts))));
        pendingTimings.forEach((key, histogram) -> rows.add(new PendingRow(key, histogram.toText())));
        return rows;
    }

    /**
     * What a pending row holds, added to the event or timing rows of this one's bucket lengths that hold its minute: how
     * {@link RollupFolding#foldPending} folds.
     *
     * @throws IllegalArgumentException when {@code text} is not what {@link #pendingRows} writes
     */
    void addPending(PendingKey key, String text) {
        if (EVENTS.equals(key.measured())) {
            addCountsText(text, (status, n) -> {
                for (int span : spans) {
                    events.merge(new EventKey(span, bucketStart(key.minuteUs(), span), status), n, Long::sum);
                }
            });
            return;
        }
        new DurationHistogram().addText(text).forEach((bucket, count, totalUs, minUs, maxUs) -> {
            for (int span : spans) {
                timings.merge(new TimingKey(span, bucketStart(key.minuteUs(), span), key.jobClass(), key.measured(), bucket),
                        new Timing(count, totalUs, minUs, maxUs), Timing::plus);
            }
        });
    }

    /** Event counts as a pending row keeps them: {@code status:count}, space-separated. */
    static String countsText(Map<String, Long> counts) {
        StringBuilder text = new StringBuilder();
        counts.forEach((status, n) -> text.append(text.isEmpty() ? "" : " ").append(status).append(':').append(n));
        return text.toString();
    }

    /**
     * Hands each status and count of {@code text} (as {@link #countsText} wrote it) to {@code count}.
     *
     * @throws IllegalArgumentException when it is not such text
     */
    static void addCountsText(String text, java.util.function.ObjLongConsumer<String> count) {
        for (String entry : text.split(" ")) {
            int colon = entry.indexOf(':');
            try {
                count.accept(entry.substring(0, colon), Long.parseLong(entry.substring(colon + 1)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not an event count: " + entry, e);
            }
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
     * transaction is tried again whole (nothing of this one was committed, so nothing is counted twice). Then the
     * pending rows, inserted.
     */
    void write(Handle handle, String eventTable, String timingTable, String pendingTable, int shard) {
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
        List<PendingRow> pending = pendingRows();
        if (!pending.isEmpty()) {
            PreparedBatch inserts = handle.prepareBatch("insert into " + pendingTable + " (id, bucket_us, job_class, measured, rollup) "
                    + "values (:id, :bucket_us, :job_class, :measured, :rollup)");
            pending.forEach(row -> inserts.bind("id", pendingId()).bind("bucket_us", row.key().minuteUs())
                    .bind("job_class", row.key().jobClass()).bind("measured", row.key().measured()).bind("rollup", row.text()).add());
            inserts.execute();
        }
    }

    /**
     * PostgreSQL: adds this one's event and timing rows to shard {@code shard} as {@link #write} does, in one statement
     * per table ({@code INSERT ... ON CONFLICT DO UPDATE} over unnested arrays, rows in key order, so an atomic add
     * however many folds run at once, and no race to insert a row first). How the fold writes on PostgreSQL: a second's
     * pending rows add to thousands of rows, and as a batch of statements, one per row, the fold cost the write path
     * several per cent more than as one.
     */
    void writePostgres(Handle handle, String eventTable, String timingTable, int shard) {
        if (!timings.isEmpty()) {
            List<Map.Entry<TimingKey, Timing>> rows = List.copyOf(timings.entrySet());
            handle.createUpdate("insert into " + timingTable + " as r (span_s, bucket_us, job_class, measured, duration_bucket, shard, "
                            + "jobs, total_us, min_us, max_us) select span_s, bucket_us, job_class, measured, duration_bucket, :shard, jobs, "
                            + "total_us, min_us, max_us from unnest(:span_s::int[], :bucket_us::bigint[], :job_class::varchar[], "
                            + ":measured::varchar[], :duration_bucket::int[], :jobs::bigint[], :total_us::bigint[], :min_us::bigint[], "
                            + ":max_us::bigint[]) as t(span_s, bucket_us, job_class, measured, duration_bucket, jobs, total_us, min_us, max_us) "
                            + "on conflict (span_s, bucket_us, job_class, measured, duration_bucket, shard) do update set "
                            + "jobs = r.jobs + excluded.jobs, total_us = r.total_us + excluded.total_us, "
                            + "min_us = least(r.min_us, excluded.min_us), max_us = greatest(r.max_us, excluded.max_us)")
                    .bind("shard", shard)
                    .bindArray("span_s", Integer.class, rows.stream().map(e -> e.getKey().spanS()).toList())
                    .bindArray("bucket_us", Long.class, rows.stream().map(e -> e.getKey().bucketUs()).toList())
                    .bindArray("job_class", String.class, rows.stream().map(e -> e.getKey().jobClass()).toList())
                    .bindArray("measured", String.class, rows.stream().map(e -> e.getKey().measured()).toList())
                    .bindArray("duration_bucket", Integer.class, rows.stream().map(e -> e.getKey().durationBucket()).toList())
                    .bindArray("jobs", Long.class, rows.stream().map(e -> e.getValue().jobs()).toList())
                    .bindArray("total_us", Long.class, rows.stream().map(e -> e.getValue().totalUs()).toList())
                    .bindArray("min_us", Long.class, rows.stream().map(e -> e.getValue().minUs()).toList())
                    .bindArray("max_us", Long.class, rows.stream().map(e -> e.getValue().maxUs()).toList())
                    .execute();
        }
        if (!events.isEmpty()) {
            List<Map.Entry<EventKey, Long>> rows = List.copyOf(events.entrySet());
            handle.createUpdate("insert into " + eventTable + " as r (span_s, bucket_us, status, shard, events) "
                            + "select span_s, bucket_us, status, :shard, events from unnest(:span_s::int[], :bucket_us::bigint[], "
                            + ":status::varchar[], :events::bigint[]) as t(span_s, bucket_us, status, events) "
                            + "on conflict (span_s, bucket_us, status, shard) do update set events = r.events + excluded.events")
                    .bind("shard", shard)
                    .bindArray("span_s", Integer.class, rows.stream().map(e -> e.getKey().spanS()).toList())
                    .bindArray("bucket_us", Long.class, rows.stream().map(e -> e.getKey().bucketUs()).toList())
                    .bindArray("status", String.class, rows.stream().map(e -> e.getKey().status()).toList())
                    .bindArray("events", Long.class, rows.stream().map(Map.Entry::getValue).toList())
                    .execute();
        }
    }

    /**
     * A pending row's id: random, not from a sequence (on H2 the sequence behind an identity column cost the write path a
     * fifth of its speed). Two rows given the same one make the later transaction fail with a unique violation, and it is
     * tried again whole.
     */
    static long pendingId() {
        return ThreadLocalRandom.current().nextLong();
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
