package org.sidekiqsupervisor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.jdbi.JdbiJobStore;
import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** What only PostgreSQL has or needs: the trigram index, and living in a host application's database. */
class PostgresSchemaIT {

    @Test
    @RequiresService(Service.POSTGRES)
    void the_arguments_filter_uses_the_trigram_index_on_a_large_table() {
        try (PostgresDatabase database = PostgresDatabase.create();
             JdbiJobStore store = JdbiJobStore.open(database.dataSource(), null)) {
            Instant t0 = Instant.parse("2026-11-28T12:00:00Z");
            List<JobEvent> batch = new ArrayList<>();
            for (int i = 0; i < 50_000; i++) {
                batch.add(new JobEvent("j" + i, JobStatus.COMPLETE, t0.plusMillis(i), "MailerJob", "default",
                        "[" + i + ",\"user" + i + "@example.com\",{\"plan\":\"basic\"}]", null, null, null));
                if (batch.size() == 5000) {
                    store.record(batch, t0);
                    batch.clear();
                }
            }
            Jdbi jdbi = Jdbi.create(database.dataSource());
            jdbi.useHandle(handle -> handle.execute("analyze supervisor_jobs"));
            jdbi.useHandle(handle -> handle.execute("analyze supervisor_job_arguments"));
            // The statement the store runs for GET /api/v1/jobs?filter=user4242@ (first page) when the newest jobs
            // did not fill it: the arguments' own table (V18) and its trigram index. That table is narrow, and at 50,000
            // rows PostgreSQL rightly reads it whole (about 400 pages) rather than the index; so that this stays a test
            // of the statement and the index, not of the planner's costs at a size where either is fast, sequential
            // scans are priced out here. (At 1M jobs the benchmark's rare filter uses the index by itself.)
            String plan = jdbi.withHandle(handle -> {
                handle.execute("set enable_seqscan = off");
                return String.join("\n", handle.createQuery(
                                "explain select job_id from supervisor_jobs where job_id in (select job_id from supervisor_job_arguments "
                                        + "where arguments like '%user4242@%' escape '\\') order by activity_us desc, job_id desc limit 51")
                        .mapTo(String.class).list());
            });
            assertThat(plan).as(plan).contains("supervisor_job_arguments_trgm").doesNotContain("Seq Scan");
            long matches = jdbi.withHandle(handle -> handle.createQuery(
                    "select count(*) from supervisor_job_arguments where arguments like '%user4242@%'").mapTo(Long.class).one());
            assertThat(matches).isEqualTo(1);
            // Written once per job: 50,000 jobs, 50,000 rows, and the jobs table has no trigram index of its own.
            long rows = jdbi.withHandle(handle -> handle.createQuery("select count(*) from supervisor_job_arguments")
                    .mapTo(Long.class).one());
            assertThat(rows).isEqualTo(50_000);
            long oldIndexes = jdbi.withHandle(handle -> handle.createQuery("select count(*) from pg_indexes where indexname = "
                    + "'supervisor_jobs_arguments_trgm'").mapTo(Long.class).one());
            assertThat(oldIndexes).isZero();
            // The statement the store runs for GET /api/v1/jobs?status=lost (first page): the partial index, whose
            // entries are the lost jobs alone, not the 50,000 others.
            String lostPlan = jdbi.withHandle(handle -> String.join("\n", handle.createQuery(
                            "explain select job_id from supervisor_jobs where lost_us > 0 order by activity_us desc, job_id desc limit 51")
                    .mapTo(String.class).list()));
            assertThat(lostPlan).as(lostPlan).contains("supervisor_jobs_lost").doesNotContain("Seq Scan");
        }
    }

    @Test
    @RequiresService(Service.POSTGRES)
    void upgrading_to_v18_moves_every_jobs_arguments_to_their_own_table_and_the_filter_and_deletes_follow() {
        try (PostgresDatabase database = PostgresDatabase.create()) {
            Flyway flyway = JdbiJobStore.flyway(database.dataSource(), StoreSchema.DEFAULT);
            Flyway.configure().configuration(flyway.getConfiguration()).target("17").load().migrate();
            Jdbi jdbi = Jdbi.create(database.dataSource());
            // Jobs a V17 store recorded: their arguments only in the jobs table, under its trigram index.
            jdbi.useHandle(handle -> handle.execute("insert into supervisor_jobs (job_id, job_class, arguments, status, status_us, "
                    + "attempts, activity_us, created_us, restarts) select 'old' || g, 'Mailer', '[\"user' || g || '@example.com\"]', "
                    + "'complete', g, 1, g, g, 0 from generate_series(1, 2000) g"));
            try (JdbiJobStore store = JdbiJobStore.open(database.dataSource(), null)) {
                assertThat(flyway.info().current().getVersion().getVersion()).isEqualTo("19");
                Instant t0 = Instant.parse("2026-12-02T12:00:00Z");
                List<JobEvent> newer = new ArrayList<>();
                for (int i = 0; i < 1500; i++) {
                    newer.add(new JobEvent("new" + i, JobStatus.QUEUED, t0, "Mailer", "default", "[\"fresh" + i + "@example.com\"]",
                            null, null, null));
                }
                store.record(newer, t0);
                // Neither is among the newest thousand jobs' arguments: both are found through the arguments' table.
                assertThat(store.query(JobQuery.builder().filter("user1234@").build()).jobs())
                        .extracting(Job::jobId).containsExactly("old1234");
                assertThat(store.query(JobQuery.builder().filter("fresh7@").build()).jobs())
                        .extracting(Job::jobId).containsExactly("new7");
                long moved = jdbi.withHandle(handle -> handle.createQuery("select count(*) from supervisor_job_arguments")
                        .mapTo(Long.class).one());
                assertThat(moved).isEqualTo(3500);
                store.delete(List.of(store.details("old1234").orElseThrow().job()));
                assertThat(store.query(JobQuery.builder().filter("user1234@").build()).jobs()).isEmpty();
                long left = jdbi.withHandle(handle -> handle.createQuery("select count(*) from supervisor_job_arguments "
                        + "where job_id = 'old1234'").mapTo(Long.class).one());
                assertThat(left).isZero();
            }
        }
    }

    @Test
    @RequiresService(Service.POSTGRES)
    void beside_a_host_applications_own_flyway_with_a_table_prefix_both_histories_stay_apart() {
        try (PostgresDatabase database = PostgresDatabase.create()) {
            Flyway host = Flyway.configure().dataSource(database.dataSource()).locations("classpath:host/migration").load();
            host.migrate();

            StoreSchema ops = new StoreSchema("ops_sup_", StoreSchema.Mode.MIGRATE);
            try (Supervisor supervisor = Supervisor.builder().dataSource(database.dataSource()).schema(ops).build()) {
                supervisor.jobManager().record(JobEvent.of("j1", JobStatus.QUEUED, null));
                assertThat(supervisor.jobManager().queuedJobs(null)).hasSize(1);
            }
            Jdbi jdbi = Jdbi.create(database.dataSource());
            List<String> tables = jdbi.withHandle(handle -> handle.createQuery(
                    "select table_name from information_schema.tables where table_schema = 'public' order by table_name")
                    .mapTo(String.class).list());
            assertThat(tables).containsExactly("flyway_schema_history", "ops_sup_audit", "ops_sup_event_rollups", "ops_sup_job_arguments", "ops_sup_job_counts",
                    "ops_sup_job_durations", "ops_sup_job_events", "ops_sup_jobs", "ops_sup_pending_rollups", "ops_sup_schema_history",
                    "ops_sup_timing_rollups",
                    "orders");
            // The host's own Flyway still sees exactly its own history, and is satisfied.
            host.validate();
            assertThat(host.info().applied()).hasSize(1);
            long orders = jdbi.withHandle(handle -> handle.createQuery("select count(*) from orders").mapTo(Long.class).one());
            assertThat(orders).isEqualTo(1);

            // A second supervisor that only validates finds the schema current.
            StoreSchema validateOnly = new StoreSchema("ops_sup_", StoreSchema.Mode.VALIDATE);
            try (Supervisor second = Supervisor.builder().dataSource(database.dataSource()).schema(validateOnly).build()) {
                assertThat(second.jobManager().queuedJobs(null)).hasSize(1);
            }
        }
    }

    @Test
    @RequiresService(Service.POSTGRES)
    void validate_refuses_a_schema_that_is_not_there_and_none_touches_nothing() {
        try (PostgresDatabase database = PostgresDatabase.create()) {
            assertThatThrownBy(() -> Supervisor.builder().dataSource(database.dataSource())
                    .schema(new StoreSchema("supervisor_", StoreSchema.Mode.VALIDATE)).build())
                    .isInstanceOf(StoreException.class).hasMessageContaining("is not current");

            StoreSchema none = new StoreSchema("supervisor_", StoreSchema.Mode.NONE);
            try (Supervisor untouched = Supervisor.builder().dataSource(database.dataSource()).schema(none).build()) {
                assertThatThrownBy(() -> untouched.jobManager().record(JobEvent.of("j1", JobStatus.QUEUED, null)))
                        .isInstanceOf(StoreException.class);
                // The host applies the supervisor's migrations with its own tooling, from the same configuration.
                JdbiJobStore.flyway(database.dataSource(), none).migrate();
                untouched.jobManager().record(JobEvent.of("j1", JobStatus.QUEUED, null));
                assertThat(untouched.jobManager().queuedJobs(null)).hasSize(1);
            }
        }
    }
}
