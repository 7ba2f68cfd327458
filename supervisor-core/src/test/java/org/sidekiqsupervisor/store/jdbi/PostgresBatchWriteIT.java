package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.store.JobStore;
import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/**
 * On PostgreSQL a batch of events costs two statements whatever it holds: the read that locks its jobs (with their
 * recorded events), and the one statement that writes events, jobs, rollups and aggregates. What they write is what
 * the store contract checks; here, that it is two, and that new jobs, changed jobs and duplicates in one batch come out
 * right.
 */
@RequiresService(Service.POSTGRES)
class PostgresBatchWriteIT {
    private static final Instant T0 = Instant.parse("2026-12-02T18:00:00Z");

    @Test
    void a_batch_of_new_and_changed_jobs_and_duplicates_is_one_read_and_one_write() {
        List<String> statements = new CopyOnWriteArrayList<>();
        try (PostgresDatabase database = PostgresDatabase.create();
             JobStore store = JdbiJobStore.open(RecordedStatements.recording(database.dataSource(), statements), null)) {
            List<JobEvent> queued = new ArrayList<>();
            for (int j = 0; j < 20; j++) {
                queued.add(new JobEvent("job-" + j, JobStatus.QUEUED, T0, "Report", "default", "[" + j + "]", null, null, null));
            }
            statements.clear();
            List<RecordResult> first = store.record(queued, T0);
            assertThat(statements).hasSize(2);
            assertThat(statements.get(1)).startsWith("with new_events as (insert into");
            assertThat(first).extracting(RecordResult::outcome).containsOnly(RecordResult.Outcome.CREATED);

            List<JobEvent> mixed = new ArrayList<>();
            for (int j = 0; j < 20; j++) {
                mixed.add(JobEvent.of("job-" + j, JobStatus.STARTED, T0.plusSeconds(1)));
                mixed.add(JobEvent.of("job-" + j, JobStatus.COMPLETE, T0.plusSeconds(3)));
            }
            mixed.addAll(queued.subList(0, 5));
            mixed.add(new JobEvent("job-new", JobStatus.QUEUED, T0.plusSeconds(2), "Report", "default", "[99]", null, null, null));
            statements.clear();
            List<RecordResult> second = store.record(mixed, T0.plusSeconds(4));
            assertThat(statements).hasSize(2);
            assertThat(second.subList(0, 40)).extracting(RecordResult::outcome).containsOnly(RecordResult.Outcome.UPDATED);
            assertThat(second.subList(40, 45)).extracting(RecordResult::outcome).containsOnly(RecordResult.Outcome.DUPLICATE);
            assertThat(second.get(45).outcome()).isEqualTo(RecordResult.Outcome.CREATED);
            assertThat(second.get(39).job().status()).isEqualTo(JobStatus.COMPLETE);

            assertThat(store.countByStatus()).containsAllEntriesOf(Map.of(JobStatus.COMPLETE, 20L, JobStatus.QUEUED, 1L,
                    JobStatus.STARTED, 0L));
            assertThat(store.details("job-7").orElseThrow().events()).hasSize(3);
            assertThat(store.details("job-7").orElseThrow().job().arguments()).isEqualTo("[7]");
        }
    }
}
