package org.sidekiqsupervisor.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationReport;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDuration;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.sidekiq.SidekiqNotConfiguredException;

/**
 * The original supervisor's seven operations from Java, over a few thousand jobs: 1,000 of each of queued, started,
 * complete, and 500 failed. Every tenth job's arguments mention "bob@example.com".
 */
class JobManagerTest {
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    private static final int PER_STATUS = 1000;
    private static Supervisor supervisor;
    private static JobManager manager;

    @BeforeAll
    static void fillStore() {
        supervisor = Supervisor.builder()
                .databaseUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
                .clock(Clock.fixed(T0.plusSeconds(86_400), ZoneOffset.UTC))
                .build();
        manager = supervisor.jobManager();
        List<JobEvent> events = new ArrayList<>();
        for (int i = 0; i < PER_STATUS; i++) {
            events.addAll(lifeOf("q" + i, i, JobStatus.QUEUED));
            events.addAll(lifeOf("s" + i, i, JobStatus.STARTED));
            events.addAll(lifeOf("c" + i, i, JobStatus.COMPLETE));
            if (i % 2 == 0) {
                events.addAll(lifeOf("f" + i, i, JobStatus.FAILED));
            }
            if (events.size() > 2000) {
                manager.recordAll(events);
                events.clear();
            }
        }
        manager.recordAll(events);
    }

    /** The events of job {@code id} up to {@code last}; job i waits i ms and runs 10 + i ms. */
    private static List<JobEvent> lifeOf(String id, int i, JobStatus last) {
        String args = "[" + i + ",\"" + (i % 10 == 0 ? "bob@example.com" : "alice@example.com") + "\"]";
        String jobClass = i % 3 == 0 ? "MailerJob" : "ReportJob";
        Instant queued = T0.plusSeconds(i);
        List<JobEvent> events = new ArrayList<>();
        events.add(new JobEvent(id, JobStatus.QUEUED, queued, jobClass, "default", args, null, null, null));
        Instant started = queued.plusMillis(i);
        if (last != JobStatus.QUEUED) {
            events.add(new JobEvent(id, JobStatus.STARTED, started, jobClass, "default", args, null, null, null));
        }
        if (last == JobStatus.COMPLETE) {
            events.add(new JobEvent(id, JobStatus.COMPLETE, started.plusMillis(10 + i), jobClass, "default", args, null, null, null));
        }
        if (last == JobStatus.FAILED) {
            events.add(new JobEvent(id, JobStatus.FAILED, started.plusMillis(5), jobClass, "default", args, "RuntimeError", "boom", null));
        }
        return events;
    }

    @AfterAll
    static void close() {
        supervisor.close();
    }

    @Test
    void queued_jobs_lists_every_queued_job_and_filters_on_the_arguments() {
        assertThat(manager.queuedJobs(null)).hasSize(PER_STATUS).allMatch(job -> job.status() == JobStatus.QUEUED);
        assertThat(manager.queuedJobs("")).hasSize(PER_STATUS);
        assertThat(manager.queuedJobs("bob@example.com")).hasSize(PER_STATUS / 10)
                .allMatch(job -> job.arguments().contains("bob@example.com"));
    }

    @Test
    void uncompleted_jobs_are_those_whose_latest_status_is_started() {
        assertThat(manager.uncompletedJobs(null)).hasSize(PER_STATUS).extracting(Job::jobId).allMatch(id -> id.startsWith("s"));
        assertThat(manager.uncompletedJobs("bob")).hasSize(PER_STATUS / 10);
    }

    @Test
    void completed_and_failed_jobs() {
        assertThat(manager.completedJobs(null)).hasSize(PER_STATUS).allMatch(job -> job.completedAt() != null);
        assertThat(manager.failedJobs(null)).hasSize(PER_STATUS / 2).allMatch(job -> "boom".equals(job.errorMessage()));
    }

    @Test
    void jobs_lists_all_newest_activity_first_across_stream_pages() {
        List<Job> all = manager.jobs(null).toList();
        assertThat(all).hasSize(PER_STATUS * 3 + PER_STATUS / 2).extracting(Job::jobId).doesNotHaveDuplicates();
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i - 1).activityAt()).isAfterOrEqualTo(all.get(i).activityAt());
        }
        // Bob is every tenth job; all of them are even, so each of his has a failed twin too.
        assertThat(manager.jobs("bob@example.com")).hasSize(PER_STATUS / 10 * 4);
        // Streams are lazy: taking three reads one page, not the whole store.
        assertThat(manager.jobs(null).limit(3)).hasSize(3);
    }

    @Test
    void queued_to_completion_duration_covers_waiting_and_running() {
        List<JobDuration> durations = manager.queuedToCompletionDuration(null).toList();
        assertThat(durations).hasSize(PER_STATUS);
        JobDuration c7 = durations.stream().filter(d -> d.jobId().equals("c7")).findFirst().orElseThrow();
        assertThat(c7.duration()).isEqualTo(Duration.ofMillis(7 + 10 + 7));
        assertThat(manager.queuedToCompletionDuration("bob@example.com")).hasSize(PER_STATUS / 10);
    }

    @Test
    void completed_jobs_duration_is_last_start_to_complete() {
        JobDuration c7 = manager.completedJobsDuration(null).filter(d -> d.jobId().equals("c7")).findFirst().orElseThrow();
        assertThat(c7.duration()).isEqualTo(Duration.ofMillis(17));
        assertThat(c7.jobClass()).isEqualTo("ReportJob");
    }

    @Test
    void the_duration_report_summarises_overall_and_per_class() {
        DurationReport report = manager.queries().durations(new DurationQuery(DurationFrom.STARTED, null, null, null, 10, null));
        assertThat(report.page().jobs()).hasSize(10);
        assertThat(report.page().nextCursor()).isNotNull();
        // Run times are 10..1009 ms, one each.
        assertThat(report.summaries().overall().count()).isEqualTo(PER_STATUS);
        assertThat(report.summaries().overall().maxMs()).isEqualTo(1009.0);
        assertThat(report.summaries().overall().p50Ms()).isEqualTo(509.5);
        assertThat(report.summaries().byClass()).containsOnlyKeys("ReportJob", "MailerJob");
        assertThat(report.summaries().byClass().get("MailerJob").count()).isEqualTo(334);
    }

    @Test
    void restart_says_clearly_that_no_redis_is_configured_and_changes_nothing() {
        assertThatThrownBy(() -> manager.restartUncompletedJobs(null))
                .isInstanceOf(SidekiqNotConfiguredException.class).hasMessageContaining("no Redis is configured");
        assertThat(manager.uncompletedJobs(null)).hasSize(PER_STATUS);
    }

    @Test
    void an_event_without_a_time_is_stamped_with_the_time_it_was_received() {
        Instant now = Instant.parse("2026-11-30T08:00:00.123456Z");
        try (Supervisor own = Supervisor.builder().databaseUrl("jdbc:h2:mem:" + UUID.randomUUID())
                .clock(Clock.fixed(now, ZoneOffset.UTC)).build()) {
            RecordResult result = own.jobManager().record(JobEvent.of("stamped", JobStatus.QUEUED, null));
            assertThat(result.created()).isTrue();
            assertThat(result.job().queuedAt()).isEqualTo(now);
            assertThat(own.jobManager().queries().job("stamped").orElseThrow().events()).singleElement()
                    .satisfies(e -> assertThat(e.at()).isEqualTo(now));
        }
    }

    @Test
    void looking_up_a_malformed_job_id_is_an_input_error() {
        assertThatThrownBy(() -> manager.queries().job("../etc")).isInstanceOf(InvalidInputException.class);
        assertThat(manager.queries().job("nope")).isEmpty();
    }
}
