package org.sidekiqsupervisor.store.jdbi;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jdbi.v3.core.Handle;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.ClassTimings;
import org.sidekiqsupervisor.model.EventCount;
import org.sidekiqsupervisor.model.JobStatus;
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
 */
final class ActivityStatistics {
    private static final long MINUTE_US = Rollups.MINUTE_S * 1_000_000L;

    private final Transactions transactions;
    private final String eventRollups;
    private final String timingRollups;

    /** Reads the rollups of one bucket length whose buckets start in [fromUs, toUs). */
    private interface SpanRead {
        void read(int spanS, long fromUs, long toUs);
    }

    ActivityStatistics(Transactions transactions, StoreSchema schema) {
        this.transactions = transactions;
        this.eventRollups = schema.eventRollupsTable();
        this.timingRollups = schema.timingRollupsTable();
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#activity}: every read on one connection. */
    Activity activity(Instant since, Duration bucket, int maxClasses) {
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
        return transactions.withHandle(handle -> {
            TreeMap<String, EventCount> counts = new TreeMap<>();
            coarsest(fromUs, eventSpans, (span, from, to) -> addEventCounts(handle, span, from, to, bucketUs, counts));
            List<ClassTimings> timings = List.of();
            // No classes asked for: the timings are not read.
            if (maxClasses > 0) {
                Map<String, DurationHistogram[]> histograms = new HashMap<>();
                coarsest(fromUs, Rollups.SPANS.size(), (span, from, to) -> addTimings(handle, span, from, to, histograms));
                timings = classTimings(histograms, maxClasses);
            }
            return new Activity(List.copyOf(counts.values()), timings);
        });
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

    /** Adds the events of the rollups of {@code spanS} in [fromUs, toUs) to {@code counts}, by bucket and status. */
    private void addEventCounts(Handle handle, int spanS, long fromUs, long toUs, long bucketUs, TreeMap<String, EventCount> counts) {
        if (fromUs >= toUs) {
            return;
        }
        handle.createQuery("select bucket_us, status, sum(events) as n from " + eventRollups
                        + " where span_s = :span_s and bucket_us >= :from_us and bucket_us < :to_us group by bucket_us, status")
                .bind("span_s", spanS).bind("from_us", fromUs).bind("to_us", toUs)
                .map((rs, ctx) -> {
                    long start = Math.floorDiv(rs.getLong("bucket_us"), bucketUs) * bucketUs;
                    String status = rs.getString("status");
                    long n = rs.getLong("n");
                    // Ordered as the Javadoc says: oldest bucket first (starts are positive and fixed-width), then status name.
                    return counts.merge(String.format("%020d %s", start, status),
                            new EventCount(Times.fromMicros(start), JobStatus.fromWireName(status, "status"), n),
                            (a, b) -> new EventCount(a.bucketStart(), a.status(), a.count() + b.count()));
                })
                .list();
    }

    /** Adds the waits and runs of the rollups of {@code spanS} in [fromUs, toUs) to each class's two histograms. */
    private void addTimings(Handle handle, int spanS, long fromUs, long toUs, Map<String, DurationHistogram[]> histograms) {
        if (fromUs >= toUs) {
            return;
        }
        handle.createQuery("select job_class, measured, duration_bucket, sum(jobs) as n, sum(total_us) as total_us, "
                        + "min(min_us) as min_us, max(max_us) as max_us from " + timingRollups
                        + " where span_s = :span_s and bucket_us >= :from_us and bucket_us < :to_us "
                        + "group by job_class, measured, duration_bucket")
                .bind("span_s", spanS).bind("from_us", fromUs).bind("to_us", toUs)
                .map((rs, ctx) -> histograms.computeIfAbsent(rs.getString("job_class"),
                                k -> new DurationHistogram[] {new DurationHistogram(), new DurationHistogram()})
                        [Rollups.WAIT.equals(rs.getString("measured")) ? 0 : 1]
                        .add(rs.getInt("duration_bucket"), rs.getLong("n"), rs.getLong("total_us"), rs.getLong("min_us"),
                                rs.getLong("max_us")))
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
