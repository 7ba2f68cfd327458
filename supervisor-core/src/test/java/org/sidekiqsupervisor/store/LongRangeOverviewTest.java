package org.sidekiqsupervisor.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import org.assertj.core.data.Offset;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.ClassTimings;
import org.sidekiqsupervisor.model.DurationSummary;
import org.sidekiqsupervisor.model.EventCount;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.jdbi.JdbiJobStore;

/**
 * The overview's ranges, read from minute, hour and day rollups, against what the events themselves say: exact event
 * counts per chart bucket and status, exact counts, means and maxima of the waits and runs per class, percentiles within
 * 2 % of percentile_cont over the same figures. The range starts at an odd time of day, so its start reads minutes, then
 * hours, then days. On H2 here; {@link PostgresRollupsIT} runs the same on PostgreSQL, where it also folds the shards.
 */
class LongRangeOverviewTest {
    /** The queries' now: not a whole minute, hour or day. */
    private static final Instant NOW = Instant.parse("2026-11-28T15:47:12.345678Z");
    private static final List<Duration[]> RANGES = List.of(new Duration[] {Duration.ofDays(30), Duration.ofHours(12)},
            new Duration[] {Duration.ofDays(7), Duration.ofHours(2)}, new Duration[] {Duration.ofHours(24), Duration.ofMinutes(15)},
            new Duration[] {Duration.ofDays(3).plusMinutes(47), Duration.ofHours(1)});

    /** What one job told: when its batch was received, its class, its wait and run in microseconds. */
    private record Told(Instant received, String jobClass, long waitUs, long runUs) {
    }

    @Test
    void the_ranges_read_from_day_hour_and_minute_rollups_give_what_the_events_give() {
        try (HikariDataSource h2 = new HikariDataSource()) {
            h2.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            try (JobStore store = JdbiJobStore.open(h2, null)) {
                rangesGiveWhatTheEventsGive(store);
            }
        }
    }

    /**
     * Records 300 batches of 4 jobs received at random times over the 40 days before {@link #NOW}, then compares each
     * range; then folds the rollups and compares again. The store's own thread folds its pending rows meanwhile, at
     * any moment between two reads.
     */
    static void rangesGiveWhatTheEventsGive(JobStore store) {
        Random random = new Random(42);
        List<Told> told = new ArrayList<>();
        for (int b = 0; b < 300; b++) {
            Instant received = NOW.minus((long) (random.nextDouble() * Duration.ofDays(40).toNanos() / 1000), ChronoUnit.MICROS);
            List<JobEvent> batch = new ArrayList<>();
            for (int j = 0; j < 4; j++) {
                String id = "lr" + b + "-" + j;
                String jobClass = "Long" + (b + j) % 3;
                long waitUs = 1 + random.nextInt(5_000_000);
                long runUs = 1 + (long) (80_000 * Math.exp(1.5 * random.nextGaussian()));
                Instant queued = received.minusSeconds(7200);
                Instant started = queued.plus(waitUs, ChronoUnit.MICROS);
                batch.add(new JobEvent(id, JobStatus.QUEUED, queued, jobClass, "default", null, null, null, null));
                batch.add(JobEvent.of(id, JobStatus.STARTED, started));
                batch.add(JobEvent.of(id, JobStatus.COMPLETE, started.plus(runUs, ChronoUnit.MICROS)));
                told.add(new Told(received, jobClass, waitUs, runUs));
            }
            store.record(batch, received);
        }
        List<Activity> read = new ArrayList<>();
        for (Duration[] range : RANGES) {
            Activity activity = store.activity(NOW.minus(range[0]), range[1], 10);
            assertGivesWhatTheEventsGive(activity, told, NOW.minus(range[0]), range[1]);
            read.add(activity);
        }
        // As of now, the settled buckets are read once and kept: the same answers, and again after news in the current
        // buckets (read afresh each time).
        for (int i = 0; i < RANGES.size(); i++) {
            assertThat(store.activity(NOW.minus(RANGES.get(i)[0]), NOW, RANGES.get(i)[1], 10)).isEqualTo(read.get(i));
            assertThat(store.activity(NOW.minus(RANGES.get(i)[0]), NOW, RANGES.get(i)[1], 10)).isEqualTo(read.get(i));
        }
        store.record(List.of(new JobEvent("now-1", JobStatus.QUEUED, NOW.minusSeconds(9), "Long0", "default", null, null, null, null),
                JobEvent.of("now-1", JobStatus.STARTED, NOW.minusSeconds(3))), NOW.minusSeconds(1));
        for (int i = 0; i < RANGES.size(); i++) {
            Activity fresh = store.activity(NOW.minus(RANGES.get(i)[0]), RANGES.get(i)[1], 10);
            assertThat(fresh).isNotEqualTo(read.get(i));
            assertThat(store.activity(NOW.minus(RANGES.get(i)[0]), NOW, RANGES.get(i)[1], 10)).isEqualTo(fresh);
            read.set(i, fresh);
        }
        // Every bucket ended (the current ones too): the hardest case; a fold never changes what is read.
        store.foldRollups(NOW.plus(Duration.ofDays(2)));
        for (int i = 0; i < RANGES.size(); i++) {
            assertThat(store.activity(NOW.minus(RANGES.get(i)[0]), RANGES.get(i)[1], 10)).isEqualTo(read.get(i));
        }
    }

    @Test
    void settled_buckets_are_read_once_and_the_newer_ones_every_time() {
        try (HikariDataSource h2 = new HikariDataSource()) {
            h2.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            try (JobStore store = JdbiJobStore.open(h2, null)) {
                Instant since = NOW.minus(Duration.ofDays(7));
                store.record(List.of(JobEvent.of("old", JobStatus.QUEUED, NOW.minus(Duration.ofDays(3)))), NOW.minus(Duration.ofDays(3)));
                Activity first = store.activity(since, NOW, Duration.ofHours(2), 10);
                assertThat(first.eventCounts()).hasSize(1);
                // A write into a settled bucket (three days ago: only a clock days behind would do it) is not read again:
                // the kept read answers. Into a bucket not yet settled (4 minutes ago, within the margin), it is.
                store.record(List.of(JobEvent.of("late", JobStatus.QUEUED, NOW.minus(Duration.ofDays(3)))), NOW.minus(Duration.ofDays(3)));
                store.record(List.of(JobEvent.of("recent", JobStatus.QUEUED, NOW.minus(Duration.ofMinutes(4)))), NOW.minus(Duration.ofMinutes(4)));
                Activity second = store.activity(since, NOW, Duration.ofHours(2), 10);
                assertThat(second.eventCounts()).extracting(EventCount::count).containsExactly(1L, 1L);
                assertThat(store.activity(since, Duration.ofHours(2), 10).eventCounts()).extracting(EventCount::count)
                        .containsExactly(2L, 1L);
                // The rollups' retention forgets what was kept.
                store.pruneRollups(NOW.minus(Duration.ofDays(60)));
                assertThat(store.activity(since, NOW, Duration.ofHours(2), 10).eventCounts()).extracting(EventCount::count)
                        .containsExactly(2L, 1L);
            }
        }
    }

    private static void assertGivesWhatTheEventsGive(Activity activity, List<Told> told, Instant since, Duration bucket) {
        // As the store documents it: every event received in the minute holding since or later.
        Instant from = since.truncatedTo(ChronoUnit.MINUTES);
        long bucketUs = bucket.toNanos() / 1000;
        TreeMap<String, Long> counts = new TreeMap<>();
        Map<String, List<Long>> waits = new TreeMap<>();
        Map<String, List<Long>> runs = new TreeMap<>();
        for (Told job : told) {
            if (job.received().isBefore(from)) {
                continue;
            }
            long receivedUs = ChronoUnit.MICROS.between(Instant.EPOCH, job.received());
            Instant start = Instant.EPOCH.plus(Math.floorDiv(receivedUs, bucketUs) * bucketUs, ChronoUnit.MICROS);
            for (String status : List.of("complete", "queued", "started")) {
                counts.merge(String.format("%s %s", start, status), 1L, Long::sum);
            }
            waits.computeIfAbsent(job.jobClass(), c -> new ArrayList<>()).add(job.waitUs());
            runs.computeIfAbsent(job.jobClass(), c -> new ArrayList<>()).add(job.runUs());
        }
        assertThat(activity.eventCounts()).extracting(c -> c.bucketStart() + " " + c.status().wireName() + " " + c.count())
                .as("event counts since %s in buckets of %s", since, bucket)
                .containsExactlyElementsOf(counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
        assertThat(activity.classTimings()).extracting(ClassTimings::jobClass).containsExactlyInAnyOrderElementsOf(waits.keySet());
        for (ClassTimings timings : activity.classTimings()) {
            assertSummarises(timings.waiting(), waits.get(timings.jobClass()));
            assertSummarises(timings.running(), runs.get(timings.jobClass()));
        }
    }

    private static void assertSummarises(DurationSummary summary, List<Long> us) {
        List<Long> sorted = us.stream().sorted().toList();
        assertThat(summary.count()).isEqualTo(sorted.size());
        assertThat(summary.meanMs()).isCloseTo(sorted.stream().mapToLong(Long::longValue).sum() / (double) sorted.size() / 1000.0,
                Offset.offset(1e-6));
        assertThat(summary.maxMs()).isEqualTo(sorted.get(sorted.size() - 1) / 1000.0);
        assertThat(summary.p50Ms()).isCloseTo(percentileCont(sorted, 0.50) / 1000.0, Percentage.withPercentage(2));
        assertThat(summary.p95Ms()).isCloseTo(percentileCont(sorted, 0.95) / 1000.0, Percentage.withPercentage(2));
        assertThat(summary.p99Ms()).isCloseTo(percentileCont(sorted, 0.99) / 1000.0, Percentage.withPercentage(2));
    }

    /** The value at rank p * (n - 1) of the sorted values, interpolated between the two around it, as SQL's percentile_cont. */
    private static double percentileCont(List<Long> sorted, double p) {
        double rank = p * (sorted.size() - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.size() - 1);
        return sorted.get(below) + (rank - below) * (sorted.get(above) - sorted.get(below));
    }
}
