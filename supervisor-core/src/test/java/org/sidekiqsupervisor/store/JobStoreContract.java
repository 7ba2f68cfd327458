package org.sidekiqsupervisor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.ClassTimings;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.DurationPage;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationSummaries;
import org.sidekiqsupervisor.model.DurationSummary;
import org.sidekiqsupervisor.model.EventCount;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobEventRecord;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.model.RecordResult.Outcome;

/**
 * What every {@link JobStore} must do. Each backend runs this suite unchanged against a fresh, empty store
 * per test.
 */
public abstract class JobStoreContract {
    protected static final Instant T0 = Instant.parse("2026-11-28T17:00:00.123456Z");
    private static final Instant RECEIVED = Instant.parse("2026-11-28T18:00:00Z");
    /** When the contract's restart claims are made. */
    private static final Instant AT = Instant.parse("2026-11-28T18:30:00Z");

    protected JobStore store;

    /** A new, empty store of the backend under test. */
    protected abstract JobStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static JobEvent event(String jobId, JobStatus status, long millis, String jobClass, String args) {
        return new JobEvent(jobId, status, T0.plusMillis(millis), jobClass, "default", args, null, null, null);
    }

    private Outcome record(JobEvent event) {
        return store.record(List.of(event), RECEIVED).get(0).outcome();
    }

    /** The job as the store has it now. */
    private Job job(String jobId) {
        return store.details(jobId).orElseThrow().job();
    }

    @Test
    void the_first_event_creates_the_job_and_later_ones_update_it() {
        assertThat(record(event("j1", JobStatus.QUEUED, 0, "A", "[1]"))).isEqualTo(Outcome.CREATED);
        assertThat(record(event("j1", JobStatus.STARTED, 10, "A", "[1]"))).isEqualTo(Outcome.UPDATED);
        Job job = job("j1");
        assertThat(job.status()).isEqualTo(JobStatus.STARTED);
        assertThat(job.queuedAt()).isEqualTo(T0);
        assertThat(job.startedAt()).isEqualTo(T0.plusMillis(10));
        assertThat(job.createdAt()).isEqualTo(RECEIVED);
        assertThat(store.details("unknown")).isEmpty();
    }

    @Test
    void an_exact_duplicate_changes_nothing_and_counts_nothing() {
        record(event("j1", JobStatus.STARTED, 10, "A", "[1]"));
        assertThat(record(event("j1", JobStatus.STARTED, 10, "A", "[1]"))).isEqualTo(Outcome.DUPLICATE);
        // The same event twice within one batch is a duplicate too.
        List<Outcome> batch = store.record(List.of(event("j2", JobStatus.QUEUED, 0, "A", null),
                event("j2", JobStatus.QUEUED, 0, "A", null)), RECEIVED).stream().map(r -> r.outcome()).toList();
        assertThat(batch).containsExactly(Outcome.CREATED, Outcome.DUPLICATE);
        assertThat(job("j1").attempts()).isEqualTo(1);
        assertThat(store.details("j1").orElseThrow().events()).hasSize(1);
        assertThat(store.details("j2").orElseThrow().events()).hasSize(1);
    }

    @Test
    void the_history_keeps_every_event_oldest_first_whatever_the_arrival_order() {
        record(event("j1", JobStatus.COMPLETE, 30, "A", null));
        record(event("j1", JobStatus.QUEUED, 0, "A", null));
        record(new JobEvent("j1", JobStatus.FAILED, T0.plusMillis(20), null, null, null, "Boom", "it broke", null));
        record(event("j1", JobStatus.STARTED, 10, "A", null));
        JobDetails details = store.details("j1").orElseThrow();
        assertThat(details.events()).extracting(JobEventRecord::status)
                .containsExactly(JobStatus.QUEUED, JobStatus.STARTED, JobStatus.FAILED, JobStatus.COMPLETE);
        assertThat(details.events().get(2).errorClass()).isEqualTo("Boom");
        assertThat(details.events().get(0).receivedAt()).isEqualTo(RECEIVED);
        assertThat(details.job().status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(details.job().errorMessage()).isEqualTo("it broke");
    }

    @Test
    void a_batch_answers_each_event_in_the_order_given() {
        List<JobEvent> batch = List.of(event("b", JobStatus.QUEUED, 0, "A", null), event("a", JobStatus.QUEUED, 0, "A", null),
                event("b", JobStatus.STARTED, 5, "A", null), event("a", JobStatus.STARTED, 5, "A", null));
        assertThat(store.record(batch, RECEIVED)).extracting(r -> r.outcome() + ":" + r.job().jobId() + ":" + r.job().status())
                .containsExactly("CREATED:b:QUEUED", "CREATED:a:QUEUED", "UPDATED:b:STARTED", "UPDATED:a:STARTED");
    }

    @Test
    void arguments_are_returned_exactly_as_sent() {
        String args = "[12345678901234567890123456789,9007199254740993,1.10,-0.0,1e400,\"raw ünï ✓ 😀 a&b=c+d %/?#\","
                + "{\"k\":[1,{\"é\":null}]},\"\\u0000\\\"\",[[[[[]]]]]]";
        record(event("j1", JobStatus.QUEUED, 0, "A", args));
        assertThat(job("j1").arguments()).isEqualTo(args);
    }

    @Test
    void the_arguments_filter_takes_wildcards_backslashes_and_quotes_literally() {
        record(event("pct", JobStatus.QUEUED, 0, "A", "[\"100%\"]"));
        record(event("und", JobStatus.QUEUED, 1, "A", "[\"a_b\"]"));
        record(event("bsl", JobStatus.QUEUED, 2, "A", "[\"C:\\\\dir\"]"));
        record(event("quo", JobStatus.QUEUED, 3, "A", "[\"it's\"]"));
        record(event("dq", JobStatus.QUEUED, 4, "A", "[\"say \\\"hi\\\"\"]"));
        record(event("other", JobStatus.QUEUED, 5, "A", "[\"100 axb C:dir its\"]"));
        assertThat(ids(JobQuery.builder().filter("%").build())).containsExactly("pct");
        assertThat(ids(JobQuery.builder().filter("a_b").build())).containsExactly("und");
        assertThat(ids(JobQuery.builder().filter("_").build())).containsExactly("und");
        assertThat(ids(JobQuery.builder().filter("C:\\\\dir").build())).containsExactly("bsl");
        assertThat(ids(JobQuery.builder().filter("\\").build())).containsExactly("dq", "bsl");
        assertThat(ids(JobQuery.builder().filter("it's").build())).containsExactly("quo");
        assertThat(ids(JobQuery.builder().filter("\\\"hi").build())).containsExactly("dq");
        assertThat(ids(JobQuery.builder().filter("' or '1'='1").build())).isEmpty();
    }

    @Test
    void queries_filter_by_status_class_queue_and_activity_time() {
        record(event("q", JobStatus.QUEUED, 0, "A", "[]"));
        record(new JobEvent("s", JobStatus.STARTED, T0.plusSeconds(10), "B", "low", "[]", null, null, null));
        record(event("c", JobStatus.COMPLETE, 20_000, "A", "[]"));
        record(new JobEvent("f", JobStatus.FAILED, T0.plusSeconds(30), "B", "default", "[]", "E", "m", null));
        assertThat(ids(JobQuery.builder().status(JobStatus.STARTED).build())).containsExactly("s");
        assertThat(ids(JobQuery.builder().jobClass("A").build())).containsExactly("c", "q");
        assertThat(ids(JobQuery.builder().queue("low").build())).containsExactly("s");
        assertThat(ids(JobQuery.builder().since(T0.plusSeconds(10)).until(T0.plusSeconds(30)).build())).containsExactly("c", "s");
        assertThat(ids(JobQuery.builder().jobClass("B").status(JobStatus.FAILED).build())).containsExactly("f");
        assertThat(store.countByStatus()).containsEntry(JobStatus.QUEUED, 1L).containsEntry(JobStatus.STARTED, 1L)
                .containsEntry(JobStatus.COMPLETE, 1L).containsEntry(JobStatus.FAILED, 1L);
    }

    @Test
    void keyset_paging_visits_every_job_once_newest_activity_first_even_with_equal_times() {
        List<JobEvent> events = new ArrayList<>();
        for (int i = 0; i < 95; i++) {
            // Groups of five jobs share one activity time.
            events.add(event(String.format("job%03d", i), JobStatus.QUEUED, i / 5, "A", "[" + i + "]"));
        }
        store.record(events, RECEIVED);
        List<Job> seen = new ArrayList<>();
        JobQuery query = JobQuery.builder().limit(10).build();
        int pages = 0;
        while (true) {
            JobPage page = store.query(query);
            seen.addAll(page.jobs());
            pages++;
            if (page.nextCursor() == null) {
                break;
            }
            query = query.after(page.nextCursor());
        }
        assertThat(pages).isEqualTo(10);
        assertThat(seen).extracting(Job::jobId).doesNotHaveDuplicates().hasSize(95);
        for (int i = 1; i < seen.size(); i++) {
            Job before = seen.get(i - 1);
            Job after = seen.get(i);
            assertThat(before.activityAt().isAfter(after.activityAt())
                    || before.activityAt().equals(after.activityAt()) && before.jobId().compareTo(after.jobId()) > 0).isTrue();
        }
    }

    /** Pages through {@code query} to the end; the jobs in the order given. */
    private List<String> allPages(JobQuery query) {
        List<String> seen = new ArrayList<>();
        while (true) {
            JobPage page = store.query(query);
            page.jobs().forEach(job -> seen.add(job.jobId()));
            if (page.nextCursor() == null) {
                return seen;
            }
            query = query.after(page.nextCursor());
        }
    }

    @Test
    void filtered_pages_are_the_same_whether_the_matches_are_among_the_newest_jobs_or_far_behind_them() {
        // 6,000 jobs (more than a filtered query first looks through, 1,000): every other one has "even", the 60 oldest "old".
        List<JobEvent> events = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
            String args = "[" + i + (i % 2 == 0 ? ",\"even\"" : "") + (i < 60 ? ",\"old\"" : "") + "]";
            events.add(new JobEvent(String.format("f%05d", i), i % 3 == 0 ? JobStatus.QUEUED : JobStatus.STARTED, T0.plusMillis(i),
                    "A", "default", args, null, null, null));
        }
        store.record(events, RECEIVED);
        List<String> old = allPages(JobQuery.builder().filter("\"old\"").limit(50).build());
        assertThat(old).hasSize(60).first().isEqualTo("f00059");
        assertThat(old).last().isEqualTo("f00000");
        List<String> even = allPages(JobQuery.builder().filter("\"even\"").limit(1000).build());
        assertThat(even).hasSize(3_000).doesNotHaveDuplicates().first().isEqualTo("f05998");
        assertThat(even).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        List<String> startedEven = allPages(JobQuery.builder().status(JobStatus.STARTED).filter("\"even\"").limit(100).build());
        assertThat(startedEven).hasSize(2_000).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(allPages(JobQuery.builder().status(JobStatus.QUEUED).filter("\"old\"").limit(7).build())).hasSize(20);
    }

    @Test
    void durations_list_each_completed_job_and_summarise_them_overall_and_by_class() {
        // Class A: run times 100..1000 ms (ten jobs); class B: one job of 5000 ms; one job never completed.
        for (int i = 1; i <= 10; i++) {
            String id = "a" + i;
            record(event(id, JobStatus.QUEUED, 0, "A", "[\"a\"]"));
            record(event(id, JobStatus.STARTED, 50, "A", null));
            record(event(id, JobStatus.COMPLETE, 50 + 100L * i, "A", null));
        }
        record(event("b1", JobStatus.STARTED, 0, "B", "[\"b\"]"));
        record(event("b1", JobStatus.COMPLETE, 5000, "B", null));
        record(event("running", JobStatus.QUEUED, 0, "A", null));

        DurationPage fromStarted = store.durationPage(new DurationQuery(DurationFrom.STARTED, null, null, null, 100, null));
        assertThat(fromStarted.jobs()).hasSize(11);
        assertThat(fromStarted.jobs().get(0).jobId()).isEqualTo("b1");
        assertThat(fromStarted.jobs().get(0).duration()).isEqualTo(Duration.ofSeconds(5));
        DurationPage fromQueued = store.durationPage(new DurationQuery(DurationFrom.QUEUED, null, null, null, 100, null));
        assertThat(fromQueued.jobs()).extracting(d -> d.jobId()).doesNotContain("b1").hasSize(10);
        assertThat(fromQueued.jobs()).filteredOn(d -> d.jobId().equals("a3")).singleElement()
                .extracting(d -> d.duration()).isEqualTo(Duration.ofMillis(350));

        DurationSummaries summaries = store.durationSummaries(new DurationQuery(DurationFrom.STARTED, null, null, null, 0, null));
        assertThat(summaries.overall().count()).isEqualTo(11);
        assertThat(summaries.overall().maxMs()).isEqualTo(5000.0);
        assertThat(summaries.overall().meanMs()).isCloseTo((5500 + 5000) / 11.0, org.assertj.core.data.Offset.offset(0.001));
        assertThat(summaries.byClass().keySet()).containsExactly("A", "B");
        assertThat(summaries.byClass().get("A").p50Ms()).isCloseTo(550.0, org.assertj.core.data.Offset.offset(0.001));
        assertThat(summaries.byClass().get("A").p95Ms()).isCloseTo(955.0, org.assertj.core.data.Offset.offset(0.001));
        assertThat(summaries.byClass().get("A").p99Ms()).isCloseTo(991.0, org.assertj.core.data.Offset.offset(0.001));
        assertThat(summaries.byClass().get("B").count()).isEqualTo(1);

        DurationSummaries filtered = store.durationSummaries(new DurationQuery(DurationFrom.STARTED, "\"b\"", null, null, 0, null));
        assertThat(filtered.overall().count()).isEqualTo(1);
        DurationSummaries none = store.durationSummaries(new DurationQuery(DurationFrom.QUEUED, "nothing", null, null, 0, null));
        assertThat(none.overall().count()).isZero();
        assertThat(none.byClass()).isEmpty();
    }

    @Test
    void concurrent_events_for_the_same_jobs_lose_nothing_and_make_no_duplicate_rows() throws Exception {
        // The group committer runs this many writers at once: this test's eight threads are more than any store asks for.
        assertThat(store.concurrentWriters()).isBetween(1, 8);
        int jobs = 20;
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            // Each thread sends a different event for every job, so every job gets all of them at once.
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int j = 0; j < jobs; j++) {
                        JobStatus status = thread == 0 ? JobStatus.QUEUED : thread == threads - 1 ? JobStatus.COMPLETE : JobStatus.STARTED;
                        store.record(List.of(event("c" + j, status, thread * 1000L, "A", "[" + j + "]")), RECEIVED);
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> seen = new HashSet<>();
        for (int j = 0; j < jobs; j++) {
            JobDetails details = store.details("c" + j).orElseThrow();
            assertThat(details.events()).hasSize(threads);
            assertThat(details.job().status()).isEqualTo(JobStatus.COMPLETE);
            assertThat(details.job().attempts()).isEqualTo(threads - 2);
            assertThat(details.job().queuedAt()).isEqualTo(T0);
            assertThat(details.job().startedAt()).isEqualTo(T0.plusMillis((threads - 2) * 1000L));
            seen.add(details.job().jobId());
        }
        assertThat(seen).hasSize(jobs);
        assertThat(store.query(JobQuery.builder().limit(1000).build()).jobs()).hasSize(jobs);
    }

    @Test
    void pruning_deletes_old_finished_jobs_with_their_history_a_batch_at_a_time_and_nothing_else() {
        for (int i = 0; i < 7; i++) {
            record(event("old-done" + i, JobStatus.COMPLETE, i, "A", null));
        }
        record(new JobEvent("old-failed", JobStatus.FAILED, T0, null, null, null, "E", "m", null));
        record(event("old-started", JobStatus.STARTED, 0, "A", null));
        record(event("old-queued", JobStatus.QUEUED, 0, "A", null));
        record(event("new-done", JobStatus.COMPLETE, 3_600_000, "A", null));
        Instant cutoff = T0.plusSeconds(60);
        // A dry run counts every job a prune would delete, whatever the limit, and deletes none of them.
        assertThat(store.prune(cutoff, 3, true)).isEqualTo(8);
        assertThat(store.prune(cutoff, 3, true)).isEqualTo(8);
        assertThat(store.details("old-done0")).isPresent();
        assertThat(store.countByStatus()).containsEntry(JobStatus.COMPLETE, 8L);

        assertThat(store.prune(cutoff, 3, false)).isEqualTo(3);
        assertThat(store.prune(cutoff, 3, false)).isEqualTo(3);
        assertThat(store.prune(cutoff, 3, true)).isEqualTo(2);
        assertThat(store.prune(cutoff, 3, false)).isEqualTo(2);
        assertThat(store.prune(cutoff, 3, false)).isZero();
        assertThat(store.prune(cutoff, 3, true)).isZero();

        assertThat(ids(JobQuery.builder().limit(100).build())).containsExactlyInAnyOrder("new-done", "old-started", "old-queued");
        assertThat(store.details("old-done0")).isEmpty();
        // A pruned job's id that reports again starts a fresh history.
        assertThat(record(event("old-done0", JobStatus.STARTED, 90_000, "A", null))).isEqualTo(Outcome.CREATED);
        assertThat(store.details("old-done0").orElseThrow().events()).hasSize(1);
    }

    @Test
    void delete_removes_jobs_with_their_history_unless_they_moved_on_since_they_were_read() {
        record(event("d1", JobStatus.STARTED, 0, "A", "[1]"));
        record(event("d2", JobStatus.STARTED, 0, "A", "[2]"));
        record(event("d3", JobStatus.QUEUED, 0, "A", "[3]"));
        record(event("keep", JobStatus.STARTED, 0, "A", "[4]"));
        List<Job> read = store.query(JobQuery.builder().filter("[").limit(100).build()).jobs().stream()
                .filter(job -> !job.jobId().equals("keep")).toList();
        // d2 completes and d3 gets claimed for a restart after being read: both must stay.
        record(event("d2", JobStatus.COMPLETE, 10, "A", "[2]"));
        record(event("d3", JobStatus.STARTED, 5, "A", "[3]"));
        assertThat(store.swapRestartClaim("d3", null, "new-d3", AT)).isTrue();

        assertThat(store.delete(read)).containsExactly("d1");
        assertThat(store.details("d1")).isEmpty();
        assertThat(job("d2").status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(store.details("d3")).isPresent();
        assertThat(store.details("keep")).isPresent();
        assertThat(store.delete(List.of())).isEmpty();
        // The id is free again: a new report starts a fresh history.
        assertThat(record(event("d1", JobStatus.QUEUED, 20, "A", "[1]"))).isEqualTo(Outcome.CREATED);
        assertThat(store.details("d1").orElseThrow().events()).hasSize(1);
    }

    @Test
    void looks_mark_missing_jobs_then_lost_ones_once_and_news_or_a_find_clears_them() {
        record(event("gone", JobStatus.STARTED, 0, "A", "[1]"));
        record(event("queuedGone", JobStatus.QUEUED, 0, "A", "[2]"));
        record(event("held", JobStatus.STARTED, 0, "A", "[3]"));
        record(event("done", JobStatus.COMPLETE, 0, "A", "[4]"));
        Duration lostAfter = Duration.ofSeconds(60);
        java.util.function.Predicate<String> onlyHeld = "held"::equals;
        List<String> lost = new ArrayList<>();
        Instant first = T0.plusSeconds(10);

        assertThat(store.recordLook(first, onlyHeld, lostAfter, job -> lost.add(job.jobId()))).isEqualTo(2);
        assertThat(job("gone").missingSince()).isEqualTo(first);
        assertThat(job("held").missingSince()).isNull();
        assertThat(job("done").missingSince()).as("finished jobs are not looked for").isNull();
        assertThat(lost).isEmpty();
        // Not far enough apart yet; an older look arriving late changes nothing.
        store.recordLook(first.plusSeconds(59), onlyHeld, lostAfter, job -> lost.add(job.jobId()));
        store.recordLook(first.minusSeconds(5), onlyHeld, lostAfter, job -> lost.add(job.jobId()));
        assertThat(lost).isEmpty();
        assertThat(job("gone").missingSince()).isEqualTo(first);

        Instant third = first.plusSeconds(60);
        store.recordLook(third, onlyHeld, lostAfter, job -> lost.add(job.jobId()));
        assertThat(lost).containsExactlyInAnyOrder("gone", "queuedGone");
        assertThat(job("gone").lostAt()).isEqualTo(third);
        assertThat(job("gone").lost()).isTrue();
        assertThat(store.query(JobQuery.builder().lostOnly(true).limit(10).build()).jobs()).extracting(Job::jobId)
                .containsExactlyInAnyOrder("gone", "queuedGone");
        // Lost once: another supervisor's look at the same moment, or a later one, does not make it lost again.
        store.recordLook(third, onlyHeld, lostAfter, job -> lost.add(job.jobId()));
        store.recordLook(third.plusSeconds(10), onlyHeld, lostAfter, job -> lost.add(job.jobId()));
        assertThat(lost).hasSize(2);

        // News of the job clears what the looks found; so does a look that finds it.
        record(event("gone", JobStatus.COMPLETE, 100_000, "A", "[1]"));
        assertThat(job("gone").lostAt()).isNull();
        assertThat(job("gone").missingSince()).isNull();
        store.recordLook(third.plusSeconds(20), "queuedGone"::equals, lostAfter, job -> lost.add(job.jobId()));
        assertThat(job("queuedGone").lostAt()).isNull();
        assertThat(job("queuedGone").missingSince()).isNull();
        assertThat(store.query(JobQuery.builder().lostOnly(true).limit(10).build()).jobs()).isEmpty();
        assertThat(job("held").missingSince()).isEqualTo(third.plusSeconds(20));
    }

    @Test
    void a_look_pages_through_more_jobs_than_one_transaction_holds() {
        int count = 2_500;
        List<JobEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(event(String.format("many%05d", i), i % 2 == 0 ? JobStatus.QUEUED : JobStatus.STARTED, i % 7, "A", "[1]"));
        }
        store.record(events, RECEIVED);
        List<String> lost = new ArrayList<>();
        java.util.function.Predicate<String> none = jid -> jid.endsWith("7");
        assertThat(store.recordLook(T0.plusSeconds(10), none, Duration.ofSeconds(10), job -> lost.add(job.jobId())))
                .isEqualTo(count - count / 10);
        store.recordLook(T0.plusSeconds(20), none, Duration.ofSeconds(10), job -> lost.add(job.jobId()));
        assertThat(lost).hasSize(count - count / 10).doesNotHaveDuplicates();
    }

    @Test
    void event_counts_are_bucketed_by_the_time_received_per_status() {
        Instant minute = Instant.parse("2026-11-28T18:00:00Z");
        store.record(List.of(event("e1", JobStatus.QUEUED, 0, "A", null), event("e2", JobStatus.QUEUED, 0, "A", null)),
                minute.plusSeconds(5));
        store.record(List.of(event("e1", JobStatus.STARTED, 1, "A", null)), minute.plusSeconds(59));
        store.record(List.of(event("e1", JobStatus.COMPLETE, 2, "A", null)), minute.plusSeconds(60));
        store.record(List.of(event("old", JobStatus.QUEUED, 0, "A", null)), minute.minusSeconds(3600));

        List<EventCount> counts = store.activity(minute, Duration.ofMinutes(1), 50).eventCounts();
        assertThat(counts).extracting(c -> c.bucketStart() + " " + c.status().wireName() + " " + c.count())
                .containsExactly(minute + " queued 2", minute + " started 1", minute.plusSeconds(60) + " complete 1");
        assertThat(store.activity(minute.plusSeconds(3600), Duration.ofMinutes(1), 50).eventCounts()).isEmpty();
    }

    @Test
    void class_timings_give_wait_and_run_percentiles_per_class_over_the_events_received_in_the_range() {
        for (int i = 1; i <= 10; i++) {
            // Waits 100 ms each; runs i seconds.
            record(event("a" + i, JobStatus.QUEUED, 0, "A", null));
            record(event("a" + i, JobStatus.STARTED, 100, "A", null));
            record(event("a" + i, JobStatus.COMPLETE, 100 + i * 1000L, "A", null));
        }
        record(event("b1", JobStatus.QUEUED, 0, "B", null));
        record(event("b1", JobStatus.STARTED, 3000, "B", null));
        // Neither a wait nor a run: no row.
        record(event("c1", JobStatus.QUEUED, 0, "C", null));
        // Told a day before the range.
        store.record(List.of(event("old", JobStatus.QUEUED, 0, "Old", null), event("old", JobStatus.STARTED, 5, "Old", null),
                event("old", JobStatus.COMPLETE, 9, "Old", null)), RECEIVED.minus(Duration.ofDays(1)));

        List<ClassTimings> timings = store.activity(RECEIVED.minusSeconds(90), Duration.ofMinutes(1), 50).classTimings();
        assertThat(timings).extracting(ClassTimings::jobClass).containsExactly("A", "B");
        var a = timings.get(0);
        assertThat(a.waiting().count()).isEqualTo(10);
        assertThat(a.waiting().p99Ms()).isEqualTo(100.0);
        assertThat(a.running().count()).isEqualTo(10);
        assertThat(a.running().meanMs()).isEqualTo(5500.0);
        assertThat(a.running().p50Ms()).isEqualTo(5500.0);
        assertThat(a.running().maxMs()).isEqualTo(10_000.0);
        var b = timings.get(1);
        assertThat(b.waiting().p50Ms()).isEqualTo(3000.0);
        assertThat(b.running().count()).isZero();
        assertThat(store.activity(RECEIVED.minusSeconds(90), Duration.ofMinutes(1), 1).classTimings()).hasSize(1);
        assertThat(store.activity(RECEIVED.minus(Duration.ofDays(2)), Duration.ofHours(1), 50).classTimings())
                .extracting(ClassTimings::jobClass).containsExactly("A", "B", "Old");
    }

    @Test
    void activity_gives_event_counts_and_class_timings_together_and_no_classes_when_none_are_asked_for() {
        store.record(List.of(event("x1", JobStatus.QUEUED, 0, "X", null)), RECEIVED);
        store.record(List.of(event("x1", JobStatus.STARTED, 250, "X", null)), RECEIVED);
        // Received at RECEIVED, an hour after the jobs' own times: the counts go by the one, the timings by the other.
        Activity activity = store.activity(T0.minusSeconds(1), Duration.ofHours(1), 10);
        assertThat(activity.eventCounts()).extracting(c -> c.bucketStart() + " " + c.status().wireName() + " " + c.count())
                .containsExactly(RECEIVED + " queued 1", RECEIVED + " started 1");
        assertThat(activity.classTimings()).singleElement().satisfies(timings -> {
            assertThat(timings.jobClass()).isEqualTo("X");
            assertThat(timings.waiting().maxMs()).isEqualTo(250.0);
        });
        Activity countsOnly = store.activity(T0.minusSeconds(1), Duration.ofHours(1), 0);
        assertThat(countsOnly.eventCounts()).isEqualTo(activity.eventCounts());
        assertThat(countsOnly.classTimings()).isEmpty();
        assertThatThrownBy(() -> store.activity(RECEIVED, Duration.ZERO, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.activity(RECEIVED, Duration.ofSeconds(90), 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.activity(RECEIVED, Duration.ofHours(1), -1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The event counts as "bucket status count" lines, oldest first. */
    private List<String> eventCounts(Instant since, Duration bucket) {
        return store.activity(since, bucket, 0).eventCounts().stream()
                .map(c -> c.bucketStart() + " " + c.status().wireName() + " " + c.count()).toList();
    }

    @Test
    void rollups_count_each_event_once_whether_it_comes_again_in_the_same_batch_or_a_later_one() {
        List<JobEvent> events = List.of(event("r1", JobStatus.QUEUED, 0, "R", null), event("r1", JobStatus.STARTED, 40, "R", null),
                event("r1", JobStatus.COMPLETE, 1040, "R", null));
        List<JobEvent> twice = new ArrayList<>(events);
        twice.addAll(events);
        store.record(twice, RECEIVED);
        store.record(events, RECEIVED.plusSeconds(60));
        store.record(List.of(events.get(2)), RECEIVED.plusSeconds(7200));

        assertThat(eventCounts(RECEIVED, Duration.ofMinutes(1)))
                .containsExactly(RECEIVED + " complete 1", RECEIVED + " queued 1", RECEIVED + " started 1");
        ClassTimings r = store.activity(RECEIVED.minus(Duration.ofDays(1)), Duration.ofHours(1), 10).classTimings().get(0);
        assertThat(r.waiting().count()).isEqualTo(1);
        assertThat(r.waiting().maxMs()).isEqualTo(40.0);
        assertThat(r.running().count()).isEqualTo(1);
        assertThat(r.running().maxMs()).isEqualTo(1000.0);
    }

    @Test
    void rollups_keep_what_was_received_when_jobs_are_deleted_pruned_or_restarted() {
        store.record(List.of(event("k1", JobStatus.QUEUED, 0, "K", null), event("k1", JobStatus.STARTED, 10, "K", null),
                event("k1", JobStatus.COMPLETE, 20, "K", null), event("k2", JobStatus.QUEUED, 0, "K", null),
                event("k2", JobStatus.STARTED, 10, "K", null), event("k3", JobStatus.STARTED, 10, "K", null),
                event("k4", JobStatus.QUEUED, 0, "K", null), event("k4", JobStatus.STARTED, 30, "K", null),
                event("k4", JobStatus.COMPLETE, 50, "K", null)), RECEIVED);
        Instant since = RECEIVED.minus(Duration.ofDays(1));
        Activity before = store.activity(since, Duration.ofMinutes(1), 10);

        assertThat(store.delete(List.of(job("k1")))).containsExactly("k1");
        assertThat(store.prune(RECEIVED.plus(Duration.ofDays(1)), 10, false)).isEqualTo(1);
        assertThat(store.details("k4")).isEmpty();
        assertThat(store.activity(since, Duration.ofMinutes(1), 10)).isEqualTo(before);

        // A restart records the replacement's queued event, and deletes the original: the original's events stay counted.
        Instant restartedAt = RECEIVED.plusSeconds(120);
        assertThat(store.swapRestartClaim("k2", null, "k2-new", restartedAt)).isTrue();
        store.completeRestart(job("k2"), new JobEvent("k2-new", JobStatus.QUEUED, T0.plusSeconds(1), "K", "default", null, null,
                null, "k2"), restartedAt);
        assertThat(store.details("k2")).isEmpty();
        assertThat(eventCounts(since, Duration.ofMinutes(1))).containsExactly(RECEIVED + " complete 2", RECEIVED + " queued 3",
                RECEIVED + " started 4", restartedAt + " queued 1");
        ClassTimings k = store.activity(since, Duration.ofMinutes(1), 10).classTimings().get(0);
        assertThat(k.waiting().count()).isEqualTo(3);
        assertThat(k.running().count()).isEqualTo(2);
        assertThat(k).isEqualTo(before.classTimings().get(0));
    }

    @Test
    void a_range_reads_minutes_up_to_its_first_whole_hour_and_hours_from_there_in_any_whole_minute_bucket() {
        Instant hour = Instant.parse("2026-11-28T10:00:00Z");
        long[] receivedMinutes = {59, 60, 150, 185};
        for (int i = 0; i < receivedMinutes.length; i++) {
            Instant received = hour.plus(Duration.ofMinutes(receivedMinutes[i])).plusSeconds(30);
            store.record(List.of(event("h" + i, JobStatus.QUEUED, 0, "H", null), event("h" + i, JobStatus.STARTED, 1000L * (i + 1), "H", null)),
                    received);
        }
        Instant since = hour.plus(Duration.ofMinutes(59)).plusSeconds(10);
        assertThat(eventCounts(since, Duration.ofMinutes(1))).containsExactly(
                "2026-11-28T10:59:00Z queued 1", "2026-11-28T10:59:00Z started 1", "2026-11-28T11:00:00Z queued 1",
                "2026-11-28T11:00:00Z started 1", "2026-11-28T12:30:00Z queued 1", "2026-11-28T12:30:00Z started 1",
                "2026-11-28T13:05:00Z queued 1", "2026-11-28T13:05:00Z started 1");
        assertThat(eventCounts(since, Duration.ofMinutes(15))).containsExactly(
                "2026-11-28T10:45:00Z queued 1", "2026-11-28T10:45:00Z started 1", "2026-11-28T11:00:00Z queued 1",
                "2026-11-28T11:00:00Z started 1", "2026-11-28T12:30:00Z queued 1", "2026-11-28T12:30:00Z started 1",
                "2026-11-28T13:00:00Z queued 1", "2026-11-28T13:00:00Z started 1");
        assertThat(eventCounts(since, Duration.ofHours(2))).containsExactly(
                "2026-11-28T10:00:00Z queued 2", "2026-11-28T10:00:00Z started 2", "2026-11-28T12:00:00Z queued 2",
                "2026-11-28T12:00:00Z started 2");
        // From 11:30: minutes to 12:00, then hours: the waits told at 12:30 and 13:05 (3 s and 4 s), not those before.
        ClassTimings h = store.activity(hour.plus(Duration.ofMinutes(90)), Duration.ofHours(1), 10).classTimings().get(0);
        assertThat(h.waiting().count()).isEqualTo(2);
        assertThat(h.waiting().meanMs()).isEqualTo(3500.0);
        assertThat(store.activity(since, Duration.ofHours(1), 10).classTimings().get(0).waiting().count()).isEqualTo(4);
        assertThat(store.activity(hour.plus(Duration.ofMinutes(186)), Duration.ofMinutes(1), 10).classTimings()).isEmpty();
    }

    @Test
    void class_percentiles_from_rollups_are_within_the_histograms_precision_of_the_exact_ones() {
        java.util.Random random = new java.util.Random(7);
        List<JobEvent> events = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            long run = 1 + (long) (2000 * Math.exp(random.nextGaussian()));
            events.add(event("p" + i, JobStatus.QUEUED, 0, "P", "[1]"));
            events.add(event("p" + i, JobStatus.STARTED, 5, "P", "[1]"));
            events.add(event("p" + i, JobStatus.COMPLETE, 5 + run, "P", "[1]"));
        }
        store.record(events, RECEIVED);
        DurationSummary exact = store.durationSummaries(new DurationQuery(DurationFrom.STARTED, "[1]", null, null, 0, null)).overall();
        DurationSummary rolled = store.activity(RECEIVED, Duration.ofMinutes(1), 10).classTimings().get(0).running();
        assertThat(rolled.count()).isEqualTo(exact.count());
        assertThat(rolled.meanMs()).isCloseTo(exact.meanMs(), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(rolled.maxMs()).isEqualTo(exact.maxMs());
        assertThat(rolled.p50Ms()).isCloseTo(exact.p50Ms(), org.assertj.core.data.Percentage.withPercentage(1.6));
        assertThat(rolled.p95Ms()).isCloseTo(exact.p95Ms(), org.assertj.core.data.Percentage.withPercentage(1.6));
        assertThat(rolled.p99Ms()).isCloseTo(exact.p99Ms(), org.assertj.core.data.Percentage.withPercentage(1.6));
    }

    @Test
    void rollup_retention_forgets_the_buckets_that_ended_before_the_cutoff_and_leaves_the_jobs() {
        Instant hour = Instant.parse("2026-11-28T10:00:00Z");
        store.record(List.of(event("t1", JobStatus.QUEUED, 0, "T", null), event("t1", JobStatus.STARTED, 10, "T", null)),
                hour.plusSeconds(30));
        store.record(List.of(event("t2", JobStatus.QUEUED, 0, "T", null), event("t2", JobStatus.STARTED, 10, "T", null)),
                hour.plusSeconds(7230));
        // The minute and the hour of 10:00 ended by 12:00; those of 12:00 had not.
        assertThat(store.pruneRollups(hour.plus(Duration.ofHours(1)).minusSeconds(1))).isEqualTo(1);
        assertThat(store.pruneRollups(hour.plus(Duration.ofHours(2)))).isEqualTo(1);
        assertThat(store.pruneRollups(hour.plus(Duration.ofHours(2)))).isZero();
        assertThat(eventCounts(hour.minusSeconds(3600), Duration.ofMinutes(1)))
                .containsExactly("2026-11-28T12:00:00Z queued 1", "2026-11-28T12:00:00Z started 1");
        assertThat(store.activity(hour.minusSeconds(3600), Duration.ofHours(1), 10).classTimings().get(0).waiting().count()).isEqualTo(1);
        assertThat(store.details("t1")).isPresent();
    }

    @Test
    void a_restart_claim_is_taken_by_one_caller_on_a_started_job_and_released_only_by_its_holder() {
        record(event("s", JobStatus.STARTED, 0, "A", "[1]"));
        record(event("q", JobStatus.QUEUED, 0, "A", "[2]"));
        record(event("c", JobStatus.COMPLETE, 0, "A", "[3]"));

        assertThat(store.swapRestartClaim("s", null, "s-new", AT)).isTrue();
        assertThat(job("s").restartingTo()).isEqualTo("s-new");
        // A second claimer finds it claimed, and the wrong holder cannot release or take it.
        assertThat(store.swapRestartClaim("s", null, "s-other", AT)).isFalse();
        assertThat(store.swapRestartClaim("s", "s-other", null, AT)).isFalse();
        assertThat(store.swapRestartClaim("s", "s-other", "s-third", AT)).isFalse();
        assertThat(job("s").restartingTo()).isEqualTo("s-new");
        // The holder hands the claim over (as a take-over of a stale claim does), then the new holder releases it.
        assertThat(store.swapRestartClaim("s", "s-new", "s-next", AT)).isTrue();
        assertThat(job("s").restartingTo()).isEqualTo("s-next");
        assertThat(store.swapRestartClaim("s", "s-next", null, AT)).isTrue();
        assertThat(job("s").restartingTo()).isNull();
        assertThat(store.swapRestartClaim("s", "s-next", null, AT)).as("released already").isFalse();
        // Released, it can be claimed again.
        assertThat(store.swapRestartClaim("s", null, "s-again", AT)).isTrue();

        // Only a queued or started job can be claimed (a lost job is either); a finished or unknown one cannot.
        assertThat(store.swapRestartClaim("q", null, "q-new", AT)).isTrue();
        assertThat(store.swapRestartClaim("c", null, "c-new", AT)).isFalse();
        assertThat(store.swapRestartClaim("unknown", null, "u-new", AT)).isFalse();
        assertThat(job("q").restartingTo()).isEqualTo("q-new");
        assertThat(job("c").restartingTo()).isNull();
        // A claim is not an event: the job's history and status stay as they were.
        assertThat(store.details("s").orElseThrow().events()).hasSize(1);
        assertThat(job("s").status()).isEqualTo(JobStatus.STARTED);

        assertThatThrownBy(() -> store.swapRestartClaim("s", "s-again", "s-again", AT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.swapRestartClaim("q", null, null, AT)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void claims_left_behind_are_found_by_when_they_were_made_and_a_release_forgets_the_time() {
        record(event("old", JobStatus.STARTED, 0, "A", "[1]"));
        record(event("young", JobStatus.STARTED, 1, "A", "[2]"));
        record(event("free", JobStatus.STARTED, 2, "A", "[3]"));
        assertThat(store.swapRestartClaim("old", null, "old-new", AT)).isTrue();
        assertThat(store.swapRestartClaim("young", null, "young-new", AT.plusSeconds(600))).isTrue();

        JobQuery stale = JobQuery.builder().status(JobStatus.STARTED).claimedBefore(AT.plusSeconds(300)).limit(10).build();
        assertThat(store.query(stale).jobs()).extracting(Job::jobId).containsExactly("old");
        assertThat(store.query(stale).jobs().get(0).restartingTo()).isEqualTo("old-new");
        assertThat(store.query(JobQuery.builder().claimedBefore(AT.plusSeconds(900)).limit(10).build()).jobs())
                .extracting(Job::jobId).containsExactlyInAnyOrder("old", "young");

        assertThat(store.swapRestartClaim("old", "old-new", null, AT)).isTrue();
        assertThat(store.query(stale).jobs()).isEmpty();
        // Claimed again later, it counts from the new claim.
        assertThat(store.swapRestartClaim("old", null, "old-again", AT.plusSeconds(600))).isTrue();
        assertThat(store.query(stale).jobs()).isEmpty();
    }

    @Test
    void of_several_callers_claiming_one_job_at_once_exactly_one_wins() throws Exception {
        int claimers = 8;
        for (int round = 0; round < 5; round++) {
            String jobId = "race" + round;
            record(event(jobId, JobStatus.STARTED, 0, "A", "[1]"));
            ExecutorService pool = Executors.newFixedThreadPool(claimers);
            try {
                CountDownLatch ready = new CountDownLatch(claimers);
                List<Future<Boolean>> claims = new ArrayList<>();
                for (int c = 0; c < claimers; c++) {
                    String claim = jobId + "-by-" + c;
                    claims.add(pool.submit(() -> {
                        ready.countDown();
                        ready.await();
                        return store.swapRestartClaim(jobId, null, claim, AT);
                    }));
                }
                List<String> winners = new ArrayList<>();
                for (int c = 0; c < claimers; c++) {
                    if (claims.get(c).get(60, TimeUnit.SECONDS)) {
                        winners.add(jobId + "-by-" + c);
                    }
                }
                assertThat(winners).hasSize(1);
                assertThat(job(jobId).restartingTo()).isEqualTo(winners.get(0));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void completing_a_restart_records_the_replacement_counts_the_restart_and_deletes_the_original() {
        record(event("orig", JobStatus.QUEUED, 0, "A", "[1]"));
        record(event("orig", JobStatus.STARTED, 10, "A", "[1]"));
        Job original = job("orig");
        assertThat(store.swapRestartClaim("orig", null, "orig-new", AT)).isTrue();
        RecordResult replaced = store.completeRestart(original, new JobEvent("orig-new", JobStatus.QUEUED, T0.plusSeconds(1), "A",
                "default", "[1]", null, null, "orig"), RECEIVED);
        assertThat(replaced.outcome()).isEqualTo(Outcome.CREATED);
        assertThat(replaced.job().restarts()).isEqualTo(1);
        assertThat(replaced.job().restartedFrom()).isEqualTo("orig");
        assertThat(store.details("orig")).isEmpty();
        JobDetails replacement = store.details("orig-new").orElseThrow();
        assertThat(replacement.job().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(replacement.job().restarts()).isEqualTo(1);
        assertThat(replacement.job().restartedFrom()).isEqualTo("orig");
        assertThat(replacement.events()).extracting(JobEventRecord::status).containsExactly(JobStatus.QUEUED);
        // The filter finds the replacement by its arguments (on PostgreSQL through their own table) and not the original.
        assertThat(store.query(JobQuery.builder().filter("[1]").build()).jobs()).extracting(Job::jobId).containsExactly("orig-new");

        // The replacement started (and reported) before its restart was recorded: the queued event joins its history.
        record(event("second-new", JobStatus.STARTED, 2_000, "A", "[1]"));
        record(event("orig-new", JobStatus.STARTED, 1_500, "A", "[1]"));
        Job firstReplacement = job("orig-new");
        assertThat(store.swapRestartClaim("orig-new", null, "second-new", AT)).isTrue();
        RecordResult again = store.completeRestart(firstReplacement, new JobEvent("second-new", JobStatus.QUEUED,
                T0.plusMillis(1_900), "A", "default", "[1]", null, null, "orig-new"), RECEIVED);
        assertThat(again.outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(again.job().status()).isEqualTo(JobStatus.STARTED);
        assertThat(again.job().restarts()).isEqualTo(2);
        assertThat(job("second-new").restartedFrom()).isEqualTo("orig-new");
        assertThat(store.details("second-new").orElseThrow().events()).hasSize(2);
        assertThat(store.details("orig-new")).isEmpty();
        assertThat(store.countByStatus()).containsEntry(JobStatus.STARTED, 1L).containsEntry(JobStatus.QUEUED, 0L);
    }

    private static JobEvent withPayload(String jobId, JobStatus status, long millis, String payload) {
        return new JobEvent(jobId, status, T0.plusMillis(millis), "A", "default", "[1]", null, null, null, payload);
    }

    @Test
    void the_latest_payload_by_event_time_is_kept_exactly_as_sent() {
        String first = "{\"retry\":false,\"queue\":\"default\",\"args\":[12345678901234567890123,\"ünï 😀\",1.10],"
                + "\"tags\":[\"a\"],\"custom\":{\"k\":null}}";
        String retried = "{\"retry\":false,\"queue\":\"default\",\"args\":[1],\"retry_count\":1}";
        record(withPayload("p1", JobStatus.STARTED, 10, first));
        assertThat(job("p1").payload()).isEqualTo(first);
        record(withPayload("p1", JobStatus.STARTED, 30, retried));
        // A late, older event does not replace the newer payload; an event without one keeps it.
        record(withPayload("p1", JobStatus.STARTED, 20, first));
        record(event("p1", JobStatus.COMPLETE, 40, "A", "[1]"));
        assertThat(job("p1").payload()).isEqualTo(retried);
        assertThat(job("p1").payloadAt()).isEqualTo(T0.plusMillis(30));
        // The same within one batch, whatever the order; and list pages carry it (a restart reads pages).
        store.record(List.of(withPayload("p2", JobStatus.STARTED, 30, retried), withPayload("p2", JobStatus.QUEUED, 10, first)),
                RECEIVED);
        record(event("p3", JobStatus.STARTED, 10, "A", "[1]"));
        assertThat(store.query(JobQuery.builder().limit(10).build()).jobs()).extracting(Job::jobId, Job::payload)
                .containsExactlyInAnyOrder(tuple("p1", retried),
                        tuple("p2", retried), tuple("p3", null));
    }

    @Test
    void a_payload_as_long_as_an_event_may_carry_is_kept_whole() {
        String filler = "ünï 😀 ".repeat(JobEvent.MAX_PAYLOAD_LENGTH);
        String open = "{\"k\":\"";
        String payload = open + filler.substring(0, JobEvent.MAX_PAYLOAD_LENGTH - open.length() - 2) + "\"}";
        assertThat(payload).hasSize(JobEvent.MAX_PAYLOAD_LENGTH);
        record(withPayload("big", JobStatus.STARTED, 10, payload));
        assertThat(job("big").payload()).isEqualTo(payload);
    }

    @Test
    void a_restart_records_the_replacement_with_the_payload_it_pushed() {
        record(withPayload("orig", JobStatus.STARTED, 10, "{\"jid\":\"orig\",\"retry\":false}"));
        Job original = job("orig");
        assertThat(store.swapRestartClaim("orig", null, "orig-new", AT)).isTrue();
        store.completeRestart(original, new JobEvent("orig-new", JobStatus.QUEUED, T0.plusSeconds(1), "A", "default", "[1]",
                null, null, "orig", "{\"jid\":\"orig-new\",\"retry\":false}"), RECEIVED);
        assertThat(job("orig-new").payload()).isEqualTo("{\"jid\":\"orig-new\",\"retry\":false}");
        assertThat(job("orig-new").payloadAt()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void progress_keeps_the_latest_report_and_needs_a_known_job() {
        assertThat(store.recordProgress("nobody", new org.sidekiqsupervisor.model.JobProgress(1L, 10L, "x", RECEIVED))).isEmpty();
        assertThat(store.details("nobody")).isEmpty();
        record(event("p1", JobStatus.STARTED, 0, "A", "[1]"));
        Job job = store.recordProgress("p1", new org.sidekiqsupervisor.model.JobProgress(3L, 10L, "importing", RECEIVED)).orElseThrow();
        assertThat(job.progress().at()).isEqualTo(3L);
        assertThat(job.progress().percent()).isEqualTo(30.0);
        // A report that arrives late (received before the kept one) changes nothing.
        store.recordProgress("p1", new org.sidekiqsupervisor.model.JobProgress(1L, 10L, "older", RECEIVED.minusSeconds(1)));
        store.recordProgress("p1", new org.sidekiqsupervisor.model.JobProgress(7L, null, null, RECEIVED.plusSeconds(1)));
        Job after = job("p1");
        assertThat(after.progress().at()).isEqualTo(7L);
        // What a report leaves out keeps its last value.
        assertThat(after.progress().total()).isEqualTo(10L);
        assertThat(after.progress().message()).isEqualTo("importing");
        assertThat(after.progress().updatedAt()).isEqualTo(RECEIVED.plusSeconds(1));
        // Progress is not an event: the history and the status are untouched, and later events keep it.
        assertThat(store.details("p1").orElseThrow().events()).hasSize(1);
        record(event("p1", JobStatus.COMPLETE, 10, "A", "[1]"));
        assertThat(job("p1").progress().at()).isEqualTo(7L);
    }

    /** The counts the store keeps equal a count of the jobs themselves. */
    private void assertCountsMatchTheJobs() {
        java.util.Map<JobStatus, Long> actual = new java.util.EnumMap<>(JobStatus.class);
        for (JobStatus status : JobStatus.values()) {
            actual.put(status, (long) allPages(JobQuery.builder().status(status).limit(1000).build()).size());
        }
        assertThat(store.countByStatus()).isEqualTo(actual);
    }

    /**
     * The summaries of all jobs, and per class, which the store keeps in buckets, agree with a scan of the jobs (asked
     * for with a filter every job's arguments here match): count and mean exactly, max and percentiles within a bucket.
     */
    private void assertDurationBucketsMatchTheJobs() {
        for (DurationFrom from : DurationFrom.values()) {
            DurationSummaries kept = store.durationSummaries(new DurationQuery(from, null, null, null, 0, null));
            DurationSummaries scanned = store.durationSummaries(new DurationQuery(from, "[", null, null, 0, null));
            assertSameSummary(from + " overall", kept.overall(), scanned.overall());
            assertThat(kept.byClass().keySet()).isEqualTo(scanned.byClass().keySet());
            kept.byClass().forEach((jobClass, summary) -> {
                assertSameSummary(from + " " + jobClass, summary, scanned.byClass().get(jobClass));
                DurationSummaries oneClass = store.durationSummaries(new DurationQuery(from, null, jobClass, null, 0, null));
                assertThat(oneClass.overall()).isEqualTo(summary);
            });
        }
    }

    private static void assertSameSummary(String what, DurationSummary kept, DurationSummary scanned) {
        assertThat(kept.count()).as(what).isEqualTo(scanned.count());
        assertThat(kept.meanMs()).as(what).isCloseTo(scanned.meanMs(), org.assertj.core.data.Offset.offset(1e-6));
        // Exact, unless the job that set it was deleted and others stay in its bucket: then within that bucket.
        assertThat(kept.maxMs()).as(what).isBetween(scanned.maxMs(), scanned.maxMs() + Math.abs(scanned.maxMs()) / 64 + 0.001);
        for (double[] pair : new double[][] {{kept.p50Ms(), scanned.p50Ms()}, {kept.p95Ms(), scanned.p95Ms()}, {kept.p99Ms(), scanned.p99Ms()}}) {
            // A bucket is at most 1/64 of its values wide.
            assertThat(pair[0]).as(what).isCloseTo(pair[1], org.assertj.core.data.Offset.offset(Math.abs(kept.maxMs()) / 64 + 0.001));
        }
    }

    @Test
    void kept_duration_summaries_follow_late_events_retries_and_deletes() {
        // Complete before started (the started event arrives later and gives the run time), the class known only from
        // the queued event that comes last, a failed job retried to completion, and jobs deleted afterwards.
        record(event("late", JobStatus.COMPLETE, 900, null, "[1]"));
        record(event("late", JobStatus.STARTED, 100, null, null));
        record(event("late", JobStatus.QUEUED, 0, "Late", "[1]"));
        record(event("retried", JobStatus.QUEUED, 0, "Retried", "[2]"));
        record(event("retried", JobStatus.STARTED, 10, "Retried", null));
        record(event("retried", JobStatus.FAILED, 20, "Retried", null));
        record(event("retried", JobStatus.STARTED, 5_000, "Retried", null));
        record(event("retried", JobStatus.COMPLETE, 5_250, "Retried", null));
        for (int i = 0; i < 50; i++) {
            record(event("many" + i, JobStatus.QUEUED, i, "Many", "[3]"));
            record(event("many" + i, JobStatus.STARTED, 2 * i, "Many", null));
            record(event("many" + i, JobStatus.COMPLETE, 2 * i + 1000L * i, "Many", null));
        }
        DurationSummaries started = store.durationSummaries(new DurationQuery(DurationFrom.STARTED, null, null, null, 0, null));
        assertThat(started.byClass().get("Late").maxMs()).isEqualTo(800.0);
        assertThat(started.byClass().get("Retried").maxMs()).isEqualTo(250.0);
        assertThat(started.byClass().get("Many").count()).isEqualTo(50);
        assertThat(started.overall().count()).isEqualTo(52);
        assertDurationBucketsMatchTheJobs();

        store.delete(store.query(JobQuery.builder().jobClass("Many").limit(20).build()).jobs());
        store.delete(store.query(JobQuery.builder().jobClass("Late").build()).jobs());
        assertThat(store.durationSummaries(new DurationQuery(DurationFrom.STARTED, null, null, null, 0, null)).byClass())
                .containsOnlyKeys("Retried", "Many");
        assertDurationBucketsMatchTheJobs();
        // Two run times in one bucket; the longer one deleted: the count and mean follow exactly, the max keeps what
        // the bucket saw (within the bucket's width) and the remaining job's own time is the median.
        record(event("same1", JobStatus.STARTED, 0, "Same", "[4]"));
        record(event("same1", JobStatus.COMPLETE, 500, "Same", null));
        record(event("same2", JobStatus.STARTED, 0, "Same", "[5]"));
        record(new JobEvent("same2", JobStatus.COMPLETE, T0.plusNanos(500_100_000), "Same", "default", null, null, null, null));
        store.delete(store.query(JobQuery.builder().filter("[5]").build()).jobs());
        DurationSummary same = store.durationSummaries(new DurationQuery(DurationFrom.STARTED, null, "Same", null, 0, null)).overall();
        assertThat(same.count()).isEqualTo(1);
        assertThat(same.meanMs()).isEqualTo(500.0);
        assertThat(same.p50Ms()).isEqualTo(500.0);
        assertThat(same.maxMs()).isBetween(500.0, 500.0 + 500.0 / 64);
        assertDurationBucketsMatchTheJobs();
        store.prune(T0.plusSeconds(3600), 1000, false);
        DurationSummaries none = store.durationSummaries(new DurationQuery(DurationFrom.QUEUED, null, null, null, 0, null));
        assertThat(none.overall()).isEqualTo(DurationSummary.EMPTY);
        assertThat(none.byClass()).isEmpty();
    }

    @Test
    void counts_by_status_follow_every_change_concurrent_ones_included() throws Exception {
        assertThat(store.countByStatus()).containsOnlyKeys(JobStatus.values());
        assertThat(store.countByStatus().values()).allMatch(n -> n == 0);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 60; i++) {
                        // Threads share jobs: the same job moves through its states from several threads at once.
                        String id = "c" + (i % 40);
                        JobStatus status = JobStatus.values()[(i + thread) % JobStatus.values().length];
                        store.record(List.of(event(id, status, thread * 1000L + i, "A", "[1]"),
                                event("own" + thread + "-" + i, JobStatus.QUEUED, i, "A", "[2]")), RECEIVED);
                    }
                }));
            }
            for (Future<?> each : work) {
                each.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertCountsMatchTheJobs();
        assertThat(store.durationSummaries(new DurationQuery(DurationFrom.STARTED, null, null, null, 0, null)).overall().count())
                .isPositive();
        assertDurationBucketsMatchTheJobs();
        record(event("old", JobStatus.COMPLETE, -10_000_000L, "A", null));
        store.prune(T0.minusSeconds(1), 100, false);
        assertCountsMatchTheJobs();
        assertDurationBucketsMatchTheJobs();
        store.delete(store.query(JobQuery.builder().status(JobStatus.QUEUED).limit(25).build()).jobs());
        store.delete(store.query(JobQuery.builder().status(JobStatus.COMPLETE).limit(5).build()).jobs());
        assertCountsMatchTheJobs();
        assertDurationBucketsMatchTheJobs();
        record(event("r1", JobStatus.STARTED, 0, "A", "[1]"));
        Job original = job("r1");
        assertThat(store.swapRestartClaim("r1", null, "r1-new", AT)).isTrue();
        store.completeRestart(original, new JobEvent("r1-new", JobStatus.QUEUED, T0.plusSeconds(1), "A", "default", "[1]", null, null,
                "r1"), RECEIVED);
        assertCountsMatchTheJobs();
        assertDurationBucketsMatchTheJobs();
        assertThat(store.countByStatus().values().stream().mapToLong(Long::longValue).sum()).isPositive();
    }

    private List<String> ids(JobQuery query) {
        return store.query(query).jobs().stream().map(Job::jobId).toList();
    }

    @Test
    void the_audit_log_keeps_each_entry_and_pages_newest_first() {
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 150; i++) {
            many.add("jid" + i);
        }
        org.sidekiqsupervisor.model.AuditEntry first = store.recordAudit(org.sidekiqsupervisor.model.AuditEntry.of(
                RECEIVED, "token", "retries.retry", "retries", many, 150, false));
        assertThat(first.jids()).as("bounded").hasSize(org.sidekiqsupervisor.model.AuditEntry.MAX_JIDS).startsWith("jid0");
        store.recordAudit(org.sidekiqsupervisor.model.AuditEntry.of(RECEIVED.plusSeconds(1), "watchdog", "jobs.restart", "jobs",
                List.of(), 0, true));
        org.sidekiqsupervisor.model.AuditEntry third = store.recordAudit(org.sidekiqsupervisor.model.AuditEntry.of(
                RECEIVED.plusSeconds(2), "alice", "queue.clear", "queue:default", List.of("a"), 1, false));
        assertThat(third.id()).isGreaterThan(first.id());
        List<org.sidekiqsupervisor.model.AuditEntry> page = store.audit(2, null);
        assertThat(page).extracting(org.sidekiqsupervisor.model.AuditEntry::actor).containsExactly("alice", "watchdog");
        assertThat(page.get(0)).isEqualTo(third);
        assertThat(page.get(1).jids()).isEmpty();
        assertThat(page.get(1).dryRun()).isTrue();
        List<org.sidekiqsupervisor.model.AuditEntry> next = store.audit(2, page.get(1).id());
        assertThat(next).singleElement().satisfies(entry -> {
            assertThat(entry.jids()).isEqualTo(first.jids());
            assertThat(entry.count()).isEqualTo(150);
            assertThat(entry.at()).isEqualTo(RECEIVED);
            assertThat(entry.action()).isEqualTo("retries.retry");
            assertThat(entry.target()).isEqualTo("retries");
        });
    }
}
