package org.sidekiqsupervisor.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationSummaries;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.jdbi.JdbiJobStore;

/** The store contract on H2, a fresh in-memory database per test. */
class H2JobStoreTest extends JobStoreContract {
    @Override
    protected JobStore newStore() {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return JdbiJobStore.open(pool, pool);
    }

    @Test
    void the_lost_jobs_are_read_through_the_lost_index_not_every_queued_job() {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        try (JobStore store = JdbiJobStore.open(pool, pool)) {
            Instant t0 = Instant.parse("2026-11-28T12:00:00Z");
            List<JobEvent> batch = new java.util.ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                batch.add(new JobEvent("q" + i, JobStatus.QUEUED, t0.plusMillis(i), "MailerJob", "default", "[1]", null, null, null));
            }
            store.record(batch, t0);
            // The statement the store runs on H2 for GET /api/v1/jobs?status=lost&job_class=MailerJob (first page).
            String plan = Jdbi.create(pool).withHandle(handle -> handle.createQuery("explain select job_id from supervisor_jobs "
                    + "use index (supervisor_jobs_lost) where job_class = 'MailerJob' and lost_us > 0 "
                    + "order by activity_us desc, job_id desc limit 51").mapTo(String.class).one());
            assertThat(plan).as(plan).contains("SUPERVISOR_JOBS_LOST: LOST_US >");
            assertThat(store.query(org.sidekiqsupervisor.model.JobQuery.builder().lostOnly(true).jobClass("MailerJob").limit(50)
                    .build()).jobs()).isEmpty();
        }
    }

    @Test
    void upgrading_a_store_with_jobs_fills_in_their_counts_and_duration_buckets_and_adds_payloads() {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        // A store as an earlier version left it (schema version 5), holding 3,000 jobs.
        Flyway current = JdbiJobStore.flyway(pool, StoreSchema.DEFAULT);
        Flyway.configure().configuration(current.getConfiguration()).target("5").load().migrate();
        Random random = new Random(3);
        Jdbi.create(pool).useTransaction(handle -> {
            PreparedBatch insert = handle.prepareBatch("insert into supervisor_jobs (job_id, job_class, queue, arguments, status, "
                    + "status_us, queued_us, started_us, completed_us, attempts, activity_us, created_us) values (:id, :class, "
                    + "'default', '[1]', :status, :at, :queued, :started, :completed, 1, :at, :at)");
            for (int i = 0; i < 3_000; i++) {
                long queued = 1_000_000L * i;
                long started = queued + random.nextInt(50_000);
                long completed = started + (long) (200_000 * Math.exp(random.nextGaussian()));
                boolean complete = i % 10 != 0;
                insert.bind("id", "old" + i).bind("class", i % 3 == 0 ? null : "Class" + i % 3)
                        .bind("status", complete ? "complete" : "started").bind("at", complete ? completed : started)
                        .bind("queued", queued).bind("started", started).bind("completed", complete ? completed : null).add();
            }
            insert.execute();
        });
        try (JobStore upgraded = JdbiJobStore.open(pool, pool)) {
            // Migrated to the newest version, which is what the store skips Flyway for once it is there.
            assertThat(current.info().current().getVersion().getVersion()).isEqualTo(JdbiJobStore.SCHEMA_VERSION);
            assertThat(current.info().pending()).isEmpty();
            assertThat(upgraded.countByStatus()).containsEntry(JobStatus.COMPLETE, 2_700L).containsEntry(JobStatus.STARTED, 300L);
            for (DurationFrom from : DurationFrom.values()) {
                DurationSummaries kept = upgraded.durationSummaries(new DurationQuery(from, null, null, null, 0, null));
                DurationSummaries scanned = upgraded.durationSummaries(new DurationQuery(from, "[1]", null, null, 0, null));
                assertThat(kept.overall().count()).isEqualTo(2_700);
                assertThat(kept.overall().meanMs()).isCloseTo(scanned.overall().meanMs(), org.assertj.core.data.Offset.offset(1e-6));
                assertThat(kept.overall().maxMs()).isEqualTo(scanned.overall().maxMs());
                assertThat(kept.overall().p95Ms()).isCloseTo(scanned.overall().p95Ms(), org.assertj.core.data.Percentage.withPercentage(1.6));
                assertThat(kept.byClass().keySet()).containsExactlyInAnyOrder("Class1", "Class2", "");
                kept.byClass().forEach((jobClass, summary) -> assertThat(summary.count()).isEqualTo(scanned.byClass().get(jobClass).count()));
            }
            // V9: jobs from before payloads have none, and take one from their next event.
            assertThat(upgraded.details("old10").orElseThrow().job().payload()).isNull();
            String payload = "{\"retry\":false,\"args\":[1],\"jid\":\"old10\"}";
            upgraded.record(List.of(new JobEvent("old10", JobStatus.STARTED, Instant.parse("2026-11-28T17:00:00Z"), null,
                    null, null, null, null, null, payload)), Instant.parse("2026-11-28T18:00:00Z"));
            Job job = upgraded.details("old10").orElseThrow().job();
            assertThat(job.payload()).isEqualTo(payload);
            assertThat(job.arguments()).isEqualTo("[1]");
            assertThat(job.attempts()).isEqualTo(2);
        }
    }
}
