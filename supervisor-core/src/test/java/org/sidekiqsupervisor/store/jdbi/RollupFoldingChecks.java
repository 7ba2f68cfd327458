package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.jdbi.v3.core.Jdbi;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.IngestJournal;
import org.sidekiqsupervisor.store.StoreException;
import org.sidekiqsupervisor.store.StoreSchema;

/**
 * Folding the rollups' shards while writers still add to the same buckets and another fold runs: each writer's
 * transactions add to a random shard (as on PostgreSQL), two folders fold every bucket (ended or not, the hardest case)
 * over and over, each pass a new folder so none skips a bucket it folded before; at the end every key's sum over the
 * shards is exactly what the writers committed, and one last fold leaves nothing outside shard 0. The writers also add
 * pending rows (V19) of the same keys, and two more folders fold those into shard 0 at the same time: at the end every
 * pending row is folded exactly once. Run on H2 ({@code RollupFoldingTest}) and PostgreSQL
 * ({@code PostgresRollupFoldingIT}).
 */
final class RollupFoldingChecks {
    private static final long MINUTE_US = Instant.parse("2026-11-28T23:58:00Z").toEpochMilli() * 1000;
    private static final Instant EVERY_BUCKET_ENDED = Instant.parse("2100-01-01T00:00:00Z");

    private RollupFoldingChecks() {
    }

    static void foldsRacingWritersAndEachOtherLoseAndDoubleNothing(DataSource dataSource) throws Exception {
        JdbiJobStore.open(dataSource, null).close();
        Transactions transactions = new Transactions(Jdbi.create(dataSource), Database.of(dataSource));
        StoreSchema schema = StoreSchema.DEFAULT;
        int writers = 4;
        int batches = 60;
        TreeMap<Rollups.EventKey, Long> expectedEvents = new TreeMap<>();
        TreeMap<Rollups.TimingKey, Rollups.Timing> expectedTimings = new TreeMap<>();
        ExecutorService threads = Executors.newFixedThreadPool(writers + 4);
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong folded = new AtomicLong();
        AtomicLong foldedPending = new AtomicLong();
        boolean postgres = Database.of(dataSource).postgres();
        AtomicLong lost = new AtomicLong();
        AtomicLong committedPending = new AtomicLong();
        List<Future<?>> writes = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Random random = new Random(w);
            writes.add(threads.submit(() -> {
                go.await();
                for (int b = 0; b < batches; b++) {
                    // Four minutes across midnight: two hours and two days, every row shared with the other writers.
                    long receivedUs = MINUTE_US + random.nextInt(4) * 60_000_000L + random.nextInt(60_000_000);
                    Rollups rollups = new Rollups();
                    for (int j = 0; j < 5; j++) {
                        rollups.counted(j % 2 == 0 ? "queued" : "complete", receivedUs);
                        rollups.timing(j % 2 == 0 ? Rollups.WAIT : Rollups.RUN, "Fold" + j % 3, 1000L * (1 + random.nextInt(4)) + j,
                                receivedUs);
                        // The same keys as pending rows, as a V19 writer adds them (a pre-V19 one added the above).
                        rollups.pendingCount(j % 2 == 0 ? "complete" : "queued", receivedUs);
                        rollups.pendingTiming(j % 2 == 0 ? Rollups.RUN : Rollups.WAIT, "Fold" + j % 3,
                                1000L * (1 + random.nextInt(4)) + j, receivedUs);
                    }
                    int shard = random.nextInt(Rollups.POSTGRES_SHARDS);
                    try {
                        transactions.inTransactionWithRetries(handle -> {
                            rollups.write(handle, schema.eventRollupsTable(), schema.timingRollupsTable(), schema.pendingRollupsTable(), shard);
                            return null;
                        });
                    } catch (StoreException e) {
                        // Lost every try (folds deleting the rows of every bucket over and over, far harder than the
                        // hourly pass on ended buckets): rolled back, so it adds nothing and is not expected.
                        lost.incrementAndGet();
                        continue;
                    }
                    committedPending.addAndGet(rollups.pendingRows().size());
                    synchronized (expectedEvents) {
                        rollups.events().forEach((key, n) -> expectedEvents.merge(key, n, Long::sum));
                        rollups.timings().forEach((key, t) -> expectedTimings.merge(key, t, Rollups.Timing::plus));
                        Rollups pendingAsRows = new Rollups();
                        rollups.pendingRows().forEach(row -> pendingAsRows.addPending(row.key(), row.text()));
                        pendingAsRows.events().forEach((key, n) -> expectedEvents.merge(key, n, Long::sum));
                        pendingAsRows.timings().forEach((key, t) -> expectedTimings.merge(key, t, Rollups.Timing::plus));
                    }
                }
                return null;
            }));
        }
        List<Future<?>> folds = new ArrayList<>();
        for (int f = 0; f < 2; f++) {
            folds.add(threads.submit(() -> {
                go.await();
                while (writing.get()) {
                    folded.addAndGet(new RollupFolding(transactions, schema, postgres).fold(EVERY_BUCKET_ENDED));
                }
                return null;
            }));
            folds.add(threads.submit(() -> {
                go.await();
                while (writing.get()) {
                    foldedPending.addAndGet(new RollupFolding(transactions, schema, postgres).foldPending(Long.MAX_VALUE));
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> write : writes) {
            write.get();
        }
        writing.set(false);
        for (Future<?> fold : folds) {
            fold.get();
        }
        threads.shutdown();
        new RollupFolding(transactions, schema, postgres).fold(EVERY_BUCKET_ENDED);
        foldedPending.addAndGet(new RollupFolding(transactions, schema, postgres).foldPending(Long.MAX_VALUE));

        assertThat(folded.get()).as("buckets folded while writers wrote").isPositive();
        assertThat(foldedPending.get()).as("pending rows folded").isEqualTo(committedPending.get());
        long leftPending = transactions.withHandle(h -> h.createQuery("select count(*) from " + schema.pendingRollupsTable())
                .mapTo(Long.class).one());
        assertThat(leftPending).as("rows left pending").isZero();
        assertThat(lost.get()).as("transactions that lost every try").isLessThan(writers * batches / 10);
        assertThat(eventSums(transactions, schema)).isEqualTo(expectedEvents);
        assertThat(timingSums(transactions, schema)).isEqualTo(expectedTimings);
        for (String table : List.of(schema.eventRollupsTable(), schema.timingRollupsTable())) {
            long outside = transactions.withHandle(h -> h.createQuery("select count(*) from " + table + " where shard > 0")
                    .mapTo(Long.class).one());
            assertThat(outside).as("rows outside shard 0 of %s", table).isZero();
        }
    }

    /**
     * Jobs recorded through the store over 90 minutes across midnight, what they add to the rollups left pending (a
     * store that folds only when told): the overview reads the same, for every chart bucket and with every class, before
     * the fold and after it; the fold takes every pending row, and leaves the rollups holding minutes, hours and days.
     */
    static void pendingRollupsReadTheSameFoldedOrNot(DataSource dataSource) {
        Instant midnight = Instant.parse("2026-11-29T00:00:00Z");
        Instant since = midnight.minus(Duration.ofDays(2));
        List<Duration> buckets = List.of(Duration.ofMinutes(1), Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(12));
        Transactions transactions = new Transactions(Jdbi.create(dataSource), Database.of(dataSource));
        StoreSchema schema = StoreSchema.DEFAULT;
        List<Activity> before = new ArrayList<>();
        try (JdbiJobStore store = JdbiJobStore.openForWritePath(dataSource, schema, null, IngestJournal.OFF, true)) {
            for (int i = 0; i < 900; i++) {
                Instant queued = midnight.minus(Duration.ofMinutes(45)).plusSeconds(6L * i);
                Instant started = queued.plusMillis(2 + i % 700);
                Instant complete = started.plusMillis(10 + (i * 37) % 9000);
                String id = "p" + i;
                store.record(List.of(new JobEvent(id, JobStatus.QUEUED, queued, "Pending" + i % 3, "default", "[1]", null, null, null),
                        JobEvent.of(id, JobStatus.STARTED, started), JobEvent.of(id, JobStatus.COMPLETE, complete)), complete);
            }
            assertThat(count(transactions, schema.timingRollupsTable())).as("timing rows before the fold").isZero();
            assertThat(count(transactions, schema.eventRollupsTable())).as("event rows before the fold").isZero();
            long pending = count(transactions, schema.pendingRollupsTable());
            assertThat(pending).as("pending rows").isPositive();
            buckets.forEach(bucket -> before.add(store.activity(since, bucket, 10)));
            assertThat(before.get(0).classTimings()).hasSize(3)
                    .allSatisfy(t -> assertThat(t.waiting().count()).isEqualTo(300));
            assertThat(before.get(0).eventCounts().stream().mapToLong(c -> c.count()).sum()).isEqualTo(2700);

            assertThat(store.foldPendingRollups()).isEqualTo(pending);
        }
        assertThat(count(transactions, schema.pendingRollupsTable())).as("rows left pending").isZero();
        for (String table : List.of(schema.eventRollupsTable(), schema.timingRollupsTable())) {
            List<Integer> spans = transactions.withHandle(h -> h.createQuery("select distinct span_s from " + table
                    + " order by span_s").mapTo(Integer.class).list());
            assertThat(spans).as(table).isEqualTo(Rollups.SPANS);
        }
        try (JdbiJobStore reopened = JdbiJobStore.openForWritePath(dataSource, schema, null, IngestJournal.OFF, true)) {
            for (int i = 0; i < buckets.size(); i++) {
                assertThat(reopened.activity(since, buckets.get(i), 10)).as("chart buckets of %s", buckets.get(i)).isEqualTo(before.get(i));
            }
        }
    }

    private static long count(Transactions transactions, String table) {
        return transactions.withHandle(h -> h.createQuery("select count(*) from " + table).mapTo(Long.class).one());
    }

    private static Map<Rollups.EventKey, Long> eventSums(Transactions transactions, StoreSchema schema) {
        TreeMap<Rollups.EventKey, Long> sums = new TreeMap<>();
        transactions.withHandle(h -> h.createQuery("select span_s, bucket_us, status, sum(events) as n from " + schema.eventRollupsTable()
                        + " group by span_s, bucket_us, status")
                .map((rs, ctx) -> sums.put(new Rollups.EventKey(rs.getInt("span_s"), rs.getLong("bucket_us"), rs.getString("status")),
                        rs.getLong("n"))).list());
        return sums;
    }

    private static Map<Rollups.TimingKey, Rollups.Timing> timingSums(Transactions transactions, StoreSchema schema) {
        TreeMap<Rollups.TimingKey, Rollups.Timing> sums = new TreeMap<>();
        transactions.withHandle(h -> h.createQuery("select span_s, bucket_us, job_class, measured, duration_bucket, sum(jobs) as n, "
                        + "sum(total_us) as total_us, min(min_us) as min_us, max(max_us) as max_us from " + schema.timingRollupsTable()
                        + " group by span_s, bucket_us, job_class, measured, duration_bucket")
                .map((rs, ctx) -> sums.put(new Rollups.TimingKey(rs.getInt("span_s"), rs.getLong("bucket_us"), rs.getString("job_class"),
                        rs.getString("measured"), rs.getInt("duration_bucket")), new Rollups.Timing(rs.getLong("n"),
                        rs.getLong("total_us"), rs.getLong("min_us"), rs.getLong("max_us")))).list());
        return sums;
    }
}
