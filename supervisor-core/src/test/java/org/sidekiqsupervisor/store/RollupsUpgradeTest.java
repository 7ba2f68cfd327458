package org.sidekiqsupervisor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.jdbi.JdbiJobStore;

/**
 * Upgrading a store made at the schema version before the rollups (12): the migrations fill them in from the events
 * and jobs it holds (V14 the minutes and hours, V16 the days from the hours), and the overview of the upgraded store
 * then reads what a store that wrote its rollups with every event reads. On H2 here; {@link PostgresRollupsIT} runs the same on PostgreSQL.
 */
class RollupsUpgradeTest {
    /** The schema version before the rollups. */
    static final String BEFORE_ROLLUPS = "12";
    /** The schema version before the day rollups. */
    static final String BEFORE_DAYS = "15";
    private static final Instant T0 = Instant.parse("2026-11-28T09:40:00Z");

    @Test
    void upgrading_a_store_fills_in_the_rollups_from_its_events_and_jobs() {
        try (HikariDataSource old = h2(); HikariDataSource live = h2()) {
            upgradedStoreReadsAsALiveOne(old, live);
        }
    }

    private static HikariDataSource h2() {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return pool;
    }

    /**
     * Records 600 jobs (four classes, one without; complete, failed and still running; completions received hours
     * after their start) into a current store on {@code live}, copies its jobs and events into a store on {@code old}
     * at schema version 12, upgrades that one, and compares what the overview reads of the two.
     */
    static void upgradedStoreReadsAsALiveOne(DataSource old, DataSource live) {
        Flyway flyway = JdbiJobStore.flyway(old, StoreSchema.DEFAULT);
        Flyway.configure().configuration(flyway.getConfiguration()).target(BEFORE_ROLLUPS).load().migrate();
        try (JobStore current = JdbiJobStore.open(live, null)) {
            for (int i = 0; i < 600; i++) {
                String id = "u" + i;
                String jobClass = i % 4 == 0 ? null : "Upgrade" + i % 4;
                Instant queued = T0.plusSeconds(20L * i);
                Instant started = queued.plusMillis(3 + i % 250);
                current.record(List.of(new JobEvent(id, JobStatus.QUEUED, queued, jobClass, "default", "[1]", null, null, null)),
                        queued.plusMillis(400));
                if (i % 10 == 9) {
                    continue;
                }
                current.record(List.of(JobEvent.of(id, JobStatus.STARTED, started)), started.plusMillis(400));
                Instant finished = started.plusMillis(50 + (i * 37) % 5000);
                JobEvent last = i % 10 == 7 ? new JobEvent(id, JobStatus.FAILED, finished, null, null, null, "E", "boom", null)
                        : JobEvent.of(id, JobStatus.COMPLETE, finished);
                // Every fifth is received an hour and a half late (a supervisor that was down).
                current.record(List.of(last), finished.plus(i % 5 == 0 ? Duration.ofMinutes(90) : Duration.ofMillis(400)));
            }
            copy(live, old, "supervisor_jobs", "seq"); // numbered by V17, after the old schema
            copy(live, old, "supervisor_job_events", "event_id");
            // Up to the version before the day rollups first (V14 fills in minutes and hours), then the rest (V16: days).
            Flyway.configure().configuration(flyway.getConfiguration()).target(BEFORE_DAYS).load().migrate();
            assertThat(dayRows(old)).isZero();

            try (JobStore upgraded = JdbiJobStore.open(old, null)) {
                assertThat(flyway.info().current().getVersion().getVersion()).isEqualTo(JdbiJobStore.SCHEMA_VERSION);
                Instant since = T0.minus(Duration.ofDays(1));
                // The live store's waits and runs reach its timing rollups once its own thread has folded them (V19).
                await().atMost(Duration.ofSeconds(30)).until(() -> pendingRows(live) == 0);
                assertThat(dayRows(old)).isEqualTo(dayRows(live)).isPositive();
                for (Duration bucket : List.of(Duration.ofMinutes(1), Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(2),
                        Duration.ofHours(12))) {
                    Activity expected = current.activity(since, bucket, 50);
                    Activity actual = upgraded.activity(since, bucket, 50);
                    assertThat(actual.eventCounts()).isEqualTo(expected.eventCounts());
                    assertThat(actual.classTimings()).isEqualTo(expected.classTimings());
                }
                Activity all = upgraded.activity(since, Duration.ofHours(1), 50);
                assertThat(all.eventCounts().stream().collect(Collectors.groupingBy(c -> c.status(),
                        Collectors.summingLong(c -> c.count())))).isEqualTo(Map.of(JobStatus.QUEUED, 600L, JobStatus.STARTED, 540L,
                        JobStatus.COMPLETE, 480L, JobStatus.FAILED, 60L));
                assertThat(all.classTimings()).hasSize(4);
                assertThat(all.classTimings().stream().mapToLong(t -> t.waiting().count()).sum()).isEqualTo(540);
                assertThat(all.classTimings().stream().mapToLong(t -> t.running().count()).sum()).isEqualTo(480);
                // Written to as any store is.
                upgraded.record(List.of(JobEvent.of("after", JobStatus.QUEUED, T0)), T0.plus(Duration.ofDays(1)));
                assertThat(upgraded.activity(T0.plus(Duration.ofDays(1)), Duration.ofMinutes(1), 0).eventCounts()).hasSize(1);
            }
        }
    }

    /** How many (day, class, measure, duration bucket) rows the day rollups hold, over every shard. */
    private static long dayRows(DataSource dataSource) {
        return Jdbi.create(dataSource).withHandle(h -> h.createQuery("select count(*) from (select distinct bucket_us, job_class, "
                + "measured, duration_bucket from supervisor_timing_rollups where span_s = 86400) d").mapTo(Long.class).one());
    }

    /** How many pending rows (V19) the store has not folded into its rollups yet. */
    private static long pendingRows(DataSource dataSource) {
        return Jdbi.create(dataSource).withHandle(h -> h.createQuery("select count(*) from supervisor_pending_rollups")
                .mapTo(Long.class).one());
    }

    /** Copies every row of {@code table} from one database to the other, leaving out the column {@code leftOut}. */
    private static void copy(DataSource from, DataSource to, String table, String leftOut) {
        List<Map<String, Object>> rows = Jdbi.create(from).withHandle(h -> h.createQuery("select * from " + table).mapToMap().list());
        List<String> columns = rows.get(0).keySet().stream().filter(c -> !c.equalsIgnoreCase(leftOut)).toList();
        Jdbi.create(to).useTransaction(h -> {
            PreparedBatch insert = h.prepareBatch("insert into " + table + " (" + String.join(", ", columns) + ") values ("
                    + columns.stream().map(c -> ":" + c).collect(Collectors.joining(", ")) + ")");
            rows.forEach(row -> insert.bindMap(row).add());
            insert.execute();
        });
    }
}
