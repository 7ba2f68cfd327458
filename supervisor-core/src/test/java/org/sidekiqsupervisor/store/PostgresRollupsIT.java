package org.sidekiqsupervisor.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.ClassTimings;
import org.sidekiqsupervisor.model.EventCount;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.jdbi.JdbiJobStore;
import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** The rollups on PostgreSQL: several supervisors writing the same buckets at once, and the upgrade that fills them in. */
@RequiresService(Service.POSTGRES)
class PostgresRollupsIT {
    private static final Instant MINUTE = Instant.parse("2026-11-28T18:00:00Z");
    private static final Instant T0 = Instant.parse("2026-11-28T17:59:00Z");

    @Test
    void two_stores_on_one_database_writing_the_same_buckets_and_class_lose_and_double_no_increment() throws Exception {
        int writersPerStore = 4;
        int batches = 40;
        int jobsPerBatch = 10;
        try (PostgresDatabase database = PostgresDatabase.create(); HikariDataSource second = secondPool(database);
             JobStore one = JdbiJobStore.open(database.dataSource(), null); JobStore other = JdbiJobStore.open(second, null)) {
            ExecutorService threads = Executors.newFixedThreadPool(2 * writersPerStore);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 2 * writersPerStore; w++) {
                JobStore store = w % 2 == 0 ? one : other;
                String writer = "w" + w;
                writers.add(threads.submit(() -> {
                    go.await();
                    for (int b = 0; b < batches; b++) {
                        // Every batch of every writer: the same class, the same wait and run (so the same duration
                        // bucket), a new minute for each round (so the writers race to insert its rows), one hour.
                        List<JobEvent> events = new ArrayList<>();
                        for (int j = 0; j < jobsPerBatch; j++) {
                            String id = writer + "-" + b + "-" + j;
                            events.add(new JobEvent(id, JobStatus.QUEUED, T0, "Hot", "default", null, null, null, null));
                            events.add(JobEvent.of(id, JobStatus.STARTED, T0.plusMillis(100)));
                            events.add(JobEvent.of(id, JobStatus.COMPLETE, T0.plusMillis(1100)));
                        }
                        store.record(events, MINUTE.plus(Duration.ofMinutes(b)));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> writer : writers) {
                writer.get();
            }
            threads.shutdown();

            long jobs = 2L * writersPerStore * batches * jobsPerBatch;
            for (Duration bucket : List.of(Duration.ofMinutes(1), Duration.ofHours(1))) {
                Activity activity = one.activity(MINUTE, bucket, 10);
                for (JobStatus status : List.of(JobStatus.QUEUED, JobStatus.STARTED, JobStatus.COMPLETE)) {
                    assertThat(activity.eventCounts().stream().filter(c -> c.status() == status).mapToLong(EventCount::count).sum())
                            .as("%s events in buckets of %s", status, bucket).isEqualTo(jobs);
                }
                ClassTimings hot = activity.classTimings().get(0);
                assertThat(hot.waiting().count()).isEqualTo(jobs);
                assertThat(hot.waiting().meanMs()).isEqualTo(100.0);
                assertThat(hot.running().count()).isEqualTo(jobs);
                assertThat(hot.running().meanMs()).isEqualTo(1000.0);
            }
            assertThat(one.activity(MINUTE, Duration.ofMinutes(1), 0).eventCounts())
                    .allSatisfy(count -> assertThat(count.count()).isEqualTo(2L * writersPerStore * jobsPerBatch));
        }
    }

    @Test
    void the_ranges_read_from_day_hour_and_minute_rollups_give_what_the_events_give_before_and_after_a_fold() {
        try (PostgresDatabase database = PostgresDatabase.create(); JobStore store = JdbiJobStore.open(database.dataSource(), null)) {
            LongRangeOverviewTest.rangesGiveWhatTheEventsGive(store);
        }
    }

    @Test
    void upgrading_a_store_fills_in_the_rollups_from_its_events_and_jobs() {
        try (PostgresDatabase old = PostgresDatabase.create(); PostgresDatabase live = PostgresDatabase.create()) {
            RollupsUpgradeTest.upgradedStoreReadsAsALiveOne(old.dataSource(), live.dataSource());
        }
    }

    private static HikariDataSource secondPool(PostgresDatabase database) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(database.url());
        pool.setUsername(database.user());
        pool.setMaximumPoolSize(10);
        return pool;
    }
}
