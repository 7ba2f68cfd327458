package org.sidekiqsupervisor.store.jdbi;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.jdbi.v3.core.Handle;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.ClassTimings;
import org.sidekiqsupervisor.model.EventCount;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.JobStore;
import org.sidekiqsupervisor.store.StoreSchema;

/**
 * The dashboard's statistics of recent activity, read from the rollups (see {@link Rollups}) only: events received per
 * time bucket, and wait and run times per class. What is read grows with the length of the range and the number of
 * classes, not with the number of events in it. A range is read in the coarsest rollups that fit: minute rollups from
 * the minute holding {@code since} up to the first whole hour, hour rollups from there up to the first whole (UTC) day,
 * day rollups from there on; the last of them also holds the present (its bucket has not ended), so only the start of
 * a range has finer edges. Event counts go only as coarse as a rollup that lies whole within one of the chart's
 * buckets: in minute and hour rollups for buckets that are whole hours (the 7- and 30-day ranges' 2 and 12 hours), in
 * minute rollups throughout for the others. So the 30-day class timings read at most 59 minutes, 23 hours and 31 days
 * of rows, where they read 720 hours before the day rollups (V16).
 *
 * <p>Settled buckets are read once. A bucket that ended {@link JobStore#SETTLED_AFTER} before the caller's now no longer
 * changes (rollups are kept by received time), so what a range reads of its settled buckets, merged, is kept for the
 * next call that reads the same ({@value #SETTLED_ENTRIES} such reads, the least recently used forgotten first). The
 * current day is read as its settled hours, the current hour as its settled minutes, and only the minutes not yet
 * settled are read from the store each time. A range's edges move a minute at a time, so its settled buckets are read
 * and kept in blocks aligned to the clock ({@link #COUNT_BLOCKS}, {@link #TIMING_BLOCKS}), not as one read from edge to
 * edge: when an edge moves, only the block it cuts and the block the settled end grows into are read again. Without
 * them the 24-hour range read all 1,440 minutes of counts every minute, and each range all its hours of timings every
 * hour. The dashboard refreshes every few seconds, so most of its calls read a few minutes' rows, however busy the
 * days before were. Folding shards keeps the sums, so it leaves what is kept right; the rollups' retention forgets it
 * all ({@link #forgetSettled}).
 */
final class ActivityStatistics {
    private static final long MINUTE_US = Rollups.MINUTE_S * 1_000_000L;
    /** The pending rows' column, as the rollups' own rows give it in a union with them: none. */
    private static final String NO_PENDING = "cast(null as varchar(1000000))";

    /**
     * How many reads of settled blocks are kept: the dashboard's five ranges read about 70 blocks of counts (a few rows
     * each) and 70 of timings (up to two histograms per class each), with room for the blocks their edges move into.
     */
    static final int SETTLED_ENTRIES = 256;
    /**
     * Settled event counts are kept in blocks of this many seconds per rollup length (minutes, hours, days): an hour of
     * minutes, a day of hours, 30 days of days. Count rows are few per bucket, so long blocks keep the entries few (the
     * 30-day range's counts read 720 hours) and the little they read again when an edge cuts them is cheap.
     */
    static final List<Long> COUNT_BLOCKS = List.of(3_600L, 86_400L, 30 * 86_400L);
    /**
     * Settled class timings are kept in blocks of 15 minutes, 6 hours and 7 days: their rows are many per bucket
     * (classes times duration buckets), so an edge moving into a block reads again at most 14 minutes, 5 hours or 6 days,
     * where it read up to 59 minutes, 23 hours or 30 days; a call merges at most about twenty kept blocks.
     */
    static final List<Long> TIMING_BLOCKS = List.of(900L, 6 * 3_600L, 7 * 86_400L);

    private final Transactions transactions;
    private final String eventRollups;
    private final String timingRollups;
    private final String pendingRollups;
    /** Reads of settled buckets, merged: guarded by itself. */
    private final Map<SettledRead, Object> settled = new LinkedHashMap<>(SETTLED_ENTRIES, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SettledRead, Object> eldest) {
            return size() > SETTLED_ENTRIES;
        }
    };

    /**
     * What one read of settled buckets covered: event counts ({@code chartBucketUs} > 0, in chart buckets of that length)
     * or class timings (0), in the rollups of {@code spanS} whose buckets start in [fromUs, toUs).
     */
    private record SettledRead(int spanS, long fromUs, long toUs, long chartBucketUs) {
    }

    /** Reads the rollups of one bucket length whose buckets start in [fromUs, toUs). */
    interface SpanRead {
        void read(int spanS, long fromUs, long toUs);
    }

    ActivityStatistics(Transactions transactions, StoreSchema schema) {
        this.transactions = transactions;
        this.eventRollups = schema.eventRollupsTable();
        this.timingRollups = schema.timingRollupsTable();
        this.pendingRollups = schema.pendingRollupsTable();
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#activity}: every read on one connection. */
    Activity activity(Instant since, Instant now, Duration bucket, int maxClasses) {
        long bucketUs = Times.toMicros(Instant.EPOCH.plus(bucket));
        if (bucketUs <= 0 || bucketUs % MINUTE_US != 0) {
            throw new IllegalArgumentException("bucket must be a positive whole number of minutes (got " + bucket + ")");
        }
        if (maxClasses < 0) {
            throw new IllegalArgumentException("maxClasses must be zero or more");
        }
        long fromUs = Rollups.bucketStart(Times.toMicros(since), Rollups.MINUTE_S);
        // A rollup row lies whole within one chart bucket only when the bucket is a whole number of its span.
        int countSpans = 0;
        while (countSpans < Rollups.SPANS.size() && bucketUs % (Rollups.SPANS.get(countSpans) * 1_000_000L) == 0) {
            countSpans++;
        }
        int eventSpans = countSpans;
        long settledUs = now == null ? Long.MIN_VALUE : Times.toMicros(now.minus(JobStore.SETTLED_AFTER));
        return transactions.withHandle(handle -> {
            TreeMap<CountKey, EventCount> counts = new TreeMap<>();
            coarsest(fromUs, eventSpans, (span, from, to) -> splitSettled(span, from, to, settledUs, COUNT_BLOCKS,
                    (readSpan, start, end, isSettled) -> {
                if (isSettled) {
                    SettledRead read = new SettledRead(readSpan, start, end, bucketUs);
                    @SuppressWarnings("unchecked")
                    List<EventCount> kept = (List<EventCount>) settled(read, () -> {
                        TreeMap<CountKey, EventCount> fresh = new TreeMap<>();
                        addEventCounts(handle, readSpan, start, end, bucketUs, fresh);
                        return List.copyOf(fresh.values());
                    });
                    kept.forEach(count -> addEventCount(counts, count.bucketStart(), count.status(), count.count()));
                } else {
                    addEventCounts(handle, readSpan, start, end, bucketUs, counts);
                }
            }));
            List<ClassTimings> timings = List.of();
            // No classes asked for: the timings are not read.
            if (maxClasses > 0) {
                Map<String, DurationHistogram[]> histograms = new HashMap<>();
                coarsest(fromUs, Rollups.SPANS.size(), (span, from, to) -> splitSettled(span, from, to, settledUs, TIMING_BLOCKS,
                        (readSpan, start, end, isSettled) -> {
                    if (isSettled) {
                        @SuppressWarnings("unchecked")
                        Map<String, DurationHistogram[]> kept = (Map<String, DurationHistogram[]>) settled(
                                new SettledRead(readSpan, start, end, 0), () -> {
                                    Map<String, DurationHistogram[]> fresh = new HashMap<>();
                                    addTimings(handle, readSpan, start, end, fresh);
                                    return fresh;
                                });
                        kept.forEach((jobClass, pair) -> {
                            DurationHistogram[] into = histograms.computeIfAbsent(jobClass,
                                    k -> new DurationHistogram[] {new DurationHistogram(), new DurationHistogram()});
                            into[0].addAll(pair[0]);
                            into[1].addAll(pair[1]);
                        });
                    } else {
                        addTimings(handle, readSpan, start, end, histograms);
                    }
                }));
                timings = classTimings(histograms, maxClasses);
            }
            return new Activity(List.copyOf(counts.values()), timings);
        });
    }

    /** A part of a read: the rollups of {@code spanS} starting in [fromUs, toUs), all of them settled or none. */
    interface Part {
        void read(int spanS, long fromUs, long toUs, boolean settled);
    }

    /**
     * Splits the buckets of {@code spanS} starting in [fromUs, toUs) into those that ended by {@code settledUs} and the
     * rest. The settled ones are read in parts that lie within one block of {@code blocks} (seconds per rollup length,
     * blocks aligned to the epoch). The rest is split again in the next finer rollups, down to minutes, whose unsettled
     * part is read as it is: so what is read afresh is the last few minutes, not the current hour or day. Reads each
     * part that has buckets. Without a {@code settledUs} ({@link Long#MIN_VALUE}) the whole is one unsettled part.
     */
    static void splitSettled(int spanS, long fromUs, long toUs, long settledUs, List<Long> blocks, Part part) {
        if (fromUs >= toUs) {
            return;
        }
        if (settledUs == Long.MIN_VALUE) {
            part.read(spanS, fromUs, toUs, false);
            return;
        }
        long spanUs = spanS * 1_000_000L;
        // A bucket that starts at b has ended by settledUs when b + span <= settledUs: those start before this.
        long settledEnd = Math.max(fromUs, Math.min(toUs, Math.floorDiv(settledUs, spanUs) * spanUs));
        long blockUs = blocks.get(Rollups.SPANS.indexOf(spanS)) * 1_000_000L;
        for (long start = fromUs; start < settledEnd; ) {
            long end = Math.min(settledEnd, Math.floorDiv(start, blockUs) * blockUs + blockUs);
            part.read(spanS, start, end, true);
            start = end;
        }
        if (settledEnd < toUs) {
            int finer = Rollups.SPANS.indexOf(spanS) - 1;
            if (finer >= 0) {
                splitSettled(Rollups.SPANS.get(finer), settledEnd, toUs, settledUs, blocks, part);
            } else {
                part.read(spanS, settledEnd, toUs, false);
            }
        }
    }

    /** The kept read {@code read}, made by {@code reading} if it is not kept. What it returns is not to be changed. */
    private Object settled(SettledRead read, Supplier<Object> reading) {
        synchronized (settled) {
            Object kept = settled.get(read);
            if (kept != null) {
                return kept;
            }
        }
        Object fresh = reading.get();
        synchronized (settled) {
            settled.put(read, fresh);
        }
        return fresh;
    }

    /** Forgets every kept read of settled buckets: the rollups' retention deleted some. */
    void forgetSettled() {
        synchronized (settled) {
            settled.clear();
        }
    }

    /**
     * Splits [fromUs, end of time) among the first {@code spans} bucket lengths, each from where the one before it
     * reaches a whole bucket of the next: minutes up to the first whole hour, hours up to the first whole day, and the
     * last length to the end. {@code fromUs} is a whole minute.
     */
    static void coarsest(long fromUs, int spans, SpanRead read) {
        long start = fromUs;
        for (int i = 0; i < spans; i++) {
            long end = Long.MAX_VALUE;
            if (i + 1 < spans) {
                long nextUs = Rollups.SPANS.get(i + 1) * 1_000_000L;
                end = Math.floorDiv(start + nextUs - 1, nextUs) * nextUs;
            }
            read.read(Rollups.SPANS.get(i), start, end);
            start = end;
        }
    }

    /**
     * Adds the events of the rollups of {@code spanS} in [fromUs, toUs) to {@code counts}, by bucket and status: the
     * event rows, and the pending rows of counts (V19, see {@link Rollups}) of the minutes in the range, in one statement
     * (see {@link #addTimings}).
     */
    private void addEventCounts(Handle handle, int spanS, long fromUs, long toUs, long bucketUs, TreeMap<CountKey, EventCount> counts) {
        if (fromUs >= toUs) {
            return;
        }
        handle.createQuery("select bucket_us, status, sum(events) as n, " + NO_PENDING + " as rollup from " + eventRollups
                        + " where span_s = :span_s and bucket_us >= :from_us and bucket_us < :to_us group by bucket_us, status "
                        + "union all select bucket_us, '', 0, rollup from " + pendingRollups
                        + " where bucket_us >= :from_us and bucket_us < :to_us and measured = :events")
                .bind("span_s", spanS).bind("from_us", fromUs).bind("to_us", toUs).bind("events", Rollups.EVENTS)
                .map((rs, ctx) -> {
                    Instant start = Times.fromMicros(Math.floorDiv(rs.getLong("bucket_us"), bucketUs) * bucketUs);
                    String pending = rs.getString("rollup");
                    if (pending != null) {
                        Rollups.addCountsText(pending, (status, n) -> addEventCount(counts, start, JobStatus.fromWireName(status, "status"), n));
                        return start;
                    }
                    addEventCount(counts, start, JobStatus.fromWireName(rs.getString("status"), "status"), rs.getLong("n"));
                    return start;
                })
                .list();
    }

    private static EventCount addEventCount(TreeMap<CountKey, EventCount> counts, Instant bucketStart, JobStatus status, long n) {
        return counts.merge(new CountKey(bucketStart, status.wireName()), new EventCount(bucketStart, status, n),
                (a, b) -> new EventCount(a.bucketStart(), a.status(), a.count() + b.count()));
    }

    /** The order of the event counts, as {@link Activity} gives them: oldest chart bucket first, then status name. */
    private record CountKey(Instant bucketStart, String status) implements Comparable<CountKey> {
        private static final Comparator<CountKey> ORDER = Comparator.comparing(CountKey::bucketStart).thenComparing(CountKey::status);

        @Override
        public int compareTo(CountKey other) {
            return ORDER.compare(this, other);
        }
    }

    /**
     * Adds the waits and runs of the rollups of {@code spanS} in [fromUs, toUs) to each class's two histograms: the timing
     * rows, and the pending rows of timings (V19, see {@link Rollups}) of the minutes in the range, which the store has
     * not folded into them yet. One statement, so one snapshot: a fold that commits meanwhile moves rows from one part to the other,
     * and read as two statements they could be counted twice or not at all.
     */
    private void addTimings(Handle handle, int spanS, long fromUs, long toUs, Map<String, DurationHistogram[]> histograms) {
        if (fromUs >= toUs) {
            return;
        }
        handle.createQuery("select job_class, measured, duration_bucket, sum(jobs) as n, sum(total_us) as total_us, "
                        + "min(min_us) as min_us, max(max_us) as max_us, " + NO_PENDING + " as rollup from " + timingRollups
                        + " where span_s = :span_s and bucket_us >= :from_us and bucket_us < :to_us "
                        + "group by job_class, measured, duration_bucket "
                        + "union all select job_class, measured, 0, 0, 0, 0, 0, rollup from " + pendingRollups
                        + " where bucket_us >= :from_us and bucket_us < :to_us and measured <> :events")
                .bind("span_s", spanS).bind("from_us", fromUs).bind("to_us", toUs).bind("events", Rollups.EVENTS)
                .map((rs, ctx) -> {
                    DurationHistogram into = histograms.computeIfAbsent(rs.getString("job_class"),
                            k -> new DurationHistogram[] {new DurationHistogram(), new DurationHistogram()})
                            [Rollups.WAIT.equals(rs.getString("measured")) ? 0 : 1];
                    String pending = rs.getString("rollup");
                    return pending != null ? into.addText(pending) : into.add(rs.getInt("duration_bucket"), rs.getLong("n"),
                            rs.getLong("total_us"), rs.getLong("min_us"), rs.getLong("max_us"));
                })
                .list();
    }

    /** Each class's summaries, the class with the most waits or runs first, ties by name; at most {@code maxClasses}. */
    private static List<ClassTimings> classTimings(Map<String, DurationHistogram[]> histograms, int maxClasses) {
        List<ClassTimings> all = new ArrayList<>();
        histograms.forEach((jobClass, pair) -> all.add(new ClassTimings(jobClass, pair[0].summary(), pair[1].summary())));
        Comparator<ClassTimings> busiest = Comparator.comparingLong(t -> Math.max(t.waiting().count(), t.running().count()));
        return all.stream()
                .filter(t -> t.waiting().count() > 0 || t.running().count() > 0)
                .sorted(busiest.reversed().thenComparing(ClassTimings::jobClass))
                .limit(maxClasses)
                .toList();
    }
}
