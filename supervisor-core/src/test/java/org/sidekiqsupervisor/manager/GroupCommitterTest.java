package org.sidekiqsupervisor.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.DurationPage;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationSummaries;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.store.JobStore;
import org.sidekiqsupervisor.store.StoreException;
import org.sidekiqsupervisor.store.jdbi.JdbiJobStore;

class GroupCommitterTest {
    /** A real H2 store that counts its transactions and refuses any batch holding a job named "poison". */
    private static final class CountingStore implements JobStore {
        final JobStore real;
        final AtomicInteger transactions = new AtomicInteger();

        CountingStore(JobStore real) {
            this.real = real;
        }

        @Override
        public List<RecordResult> record(List<JobEvent> events, Instant receivedAt) {
            transactions.incrementAndGet();
            if (events.stream().anyMatch(event -> event.jobId().startsWith("poison"))) {
                throw new StoreException("refused", null);
            }
            return real.record(events, receivedAt);
        }

        @Override public Optional<JobDetails> details(String jobId) { return real.details(jobId); }
        @Override public JobPage query(JobQuery query) { return real.query(query); }
        @Override public int recordLook(Instant lookStartedAt, java.util.function.Predicate<String> held, java.time.Duration lostAfter,
                                        java.util.function.Consumer<Job> newlyLost) {
            return real.recordLook(lookStartedAt, held, lostAfter, newlyLost);
        }
        @Override public DurationPage durationPage(DurationQuery query) { return real.durationPage(query); }
        @Override public DurationSummaries durationSummaries(DurationQuery query) { return real.durationSummaries(query); }
        @Override public boolean swapRestartClaim(String jobId, String expectedClaim, String newClaim, Instant at) {
            return real.swapRestartClaim(jobId, expectedClaim, newClaim, at);
        }
        @Override public RecordResult completeRestart(Job original, JobEvent queued, Instant at) { return real.completeRestart(original, queued, at); }
        @Override public long prune(Instant before, int limit, boolean dryRun) { return real.prune(before, limit, dryRun); }
        @Override public Map<JobStatus, Long> countByStatus() { return real.countByStatus(); }
        @Override public List<String> delete(List<Job> jobs) { return real.delete(jobs); }
        @Override public Optional<Job> recordProgress(String jobId, org.sidekiqsupervisor.model.JobProgress progress) {
            return real.recordProgress(jobId, progress);
        }
        @Override public Activity activity(Instant since, Instant now, java.time.Duration bucket, int maxClasses) {
            return real.activity(since, now, bucket, maxClasses);
        }
        @Override public long pruneRollups(Instant before) { return real.pruneRollups(before); }
        @Override public org.sidekiqsupervisor.model.AuditEntry recordAudit(org.sidekiqsupervisor.model.AuditEntry entry) {
            return real.recordAudit(entry);
        }
        @Override public List<org.sidekiqsupervisor.model.AuditEntry> audit(int limit, Long beforeId) { return real.audit(limit, beforeId); }
        @Override public void close() { real.close(); }
    }

    private CountingStore store;
    private GroupCommitter committer;

    @BeforeEach
    void open() {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        store = new CountingStore(JdbiJobStore.open(pool, pool));
        committer = new GroupCommitter(store, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        committer.close();
        store.close();
    }

    @Test
    void concurrent_callers_share_transactions_and_each_gets_its_own_results() throws Exception {
        int callers = 32;
        int each = 40;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Callable<Boolean>> work = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int caller = c;
                work.add(() -> {
                    for (int i = 0; i < each; i++) {
                        String jobId = "c" + caller + "-" + i;
                        List<RecordResult> results = committer.record(List.of(
                                JobEvent.of(jobId, JobStatus.QUEUED, Instant.parse("2026-11-28T12:00:00Z")),
                                JobEvent.of(jobId, JobStatus.STARTED, Instant.parse("2026-11-28T12:00:01Z"))));
                        assertThat(results).extracting(r -> r.job().jobId()).containsExactly(jobId, jobId);
                        assertThat(results).extracting(RecordResult::outcome)
                                .containsExactly(RecordResult.Outcome.CREATED, RecordResult.Outcome.UPDATED);
                    }
                    return true;
                });
            }
            for (Future<Boolean> done : pool.invokeAll(work)) {
                assertThat(done.get(120, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        int calls = callers * each;
        assertThat(store.real.countByStatus().get(JobStatus.STARTED)).isEqualTo(calls);
        // Shared commits: far fewer transactions than callers' calls.
        assertThat(store.transactions.get()).isLessThan(calls);
    }

    @Test
    void a_caller_whose_events_fail_does_not_fail_the_others_in_its_batch() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<String>> work = new ArrayList<>();
            for (int c = 0; c < 200; c++) {
                String jobId = (c % 20 == 0 ? "poison" : "fine") + c;
                work.add(() -> {
                    try {
                        committer.record(List.of(JobEvent.of(jobId, JobStatus.QUEUED, Instant.parse("2026-11-28T12:00:00Z"))));
                        return "ok";
                    } catch (StoreException e) {
                        return "refused";
                    }
                });
            }
            List<String> outcomes = new ArrayList<>();
            for (Future<String> outcome : pool.invokeAll(work)) {
                outcomes.add(outcome.get(60, TimeUnit.SECONDS));
            }
            assertThat(outcomes).filteredOn("refused"::equals).hasSize(10);
            assertThat(store.real.countByStatus().get(JobStatus.QUEUED)).isEqualTo(190);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void after_close_nothing_more_is_taken() {
        committer.close();
        assertThatThrownBy(() -> committer.record(List.of(JobEvent.of("late", JobStatus.QUEUED, null).at(Instant.now()))))
                .isInstanceOf(StoreException.class).hasMessageContaining("shutting down");
    }
}
