package org.sidekiqsupervisor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.InvalidInputException;

class JobLifecycleTest {
    private static final Instant T0 = Instant.parse("2026-11-28T17:00:00Z");
    private static final Instant RECEIVED = Instant.parse("2026-11-28T18:00:00Z");

    private static JobEvent event(JobStatus status, int second) {
        return new JobEvent("jid1", status, T0.plusSeconds(second), "HardWorker", "default", "[1]", null, null, null);
    }

    private static Job replay(JobEvent... events) {
        Job job = Job.first(events[0], RECEIVED);
        for (int i = 1; i < events.length; i++) {
            job = job.apply(events[i], RECEIVED);
        }
        return job;
    }

    @Test
    void queued_started_complete_in_order_ends_complete_with_all_times() {
        Job job = replay(event(JobStatus.QUEUED, 0), event(JobStatus.STARTED, 1), event(JobStatus.COMPLETE, 3));
        assertThat(job.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(job.queuedAt()).isEqualTo(T0);
        assertThat(job.startedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(job.completedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.activityAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(job.createdAt()).isEqualTo(RECEIVED);
    }

    @Test
    void events_arriving_out_of_order_give_the_status_of_the_latest_event() {
        Job job = replay(event(JobStatus.COMPLETE, 3), event(JobStatus.STARTED, 1), event(JobStatus.QUEUED, 0));
        assertThat(job.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(job.statusAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(job.queuedAt()).isEqualTo(T0);
        assertThat(job.startedAt()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void late_queued_event_does_not_move_a_started_job_back() {
        // The client's clock runs ahead: its queued claims a time after the server-side started.
        Job job = replay(event(JobStatus.STARTED, 5), event(JobStatus.QUEUED, 9));
        assertThat(job.status()).isEqualTo(JobStatus.STARTED);
        assertThat(job.queuedAt()).isEqualTo(T0.plusSeconds(9));
        assertThat(job.activityAt()).isEqualTo(T0.plusSeconds(9));
    }

    @Test
    void ties_in_time_are_broken_by_lifecycle_order() {
        assertThat(replay(event(JobStatus.COMPLETE, 1), event(JobStatus.STARTED, 1)).status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(replay(event(JobStatus.STARTED, 1), event(JobStatus.FAILED, 1)).status()).isEqualTo(JobStatus.FAILED);
        assertThat(replay(event(JobStatus.FAILED, 1), event(JobStatus.COMPLETE, 1)).status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(replay(event(JobStatus.STARTED, 1), event(JobStatus.QUEUED, 1)).status()).isEqualTo(JobStatus.STARTED);
    }

    @Test
    void sidekiq_retry_counts_every_start_as_an_attempt() {
        // What Sidekiq sends with the original supervisor's middleware for a job that fails once: no failure report.
        Job job = replay(event(JobStatus.QUEUED, 0), event(JobStatus.STARTED, 1), event(JobStatus.STARTED, 30),
                event(JobStatus.COMPLETE, 31));
        assertThat(job.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(job.attempts()).isEqualTo(2);
        assertThat(job.startedAt()).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void started_after_failed_is_a_retry_that_keeps_the_last_error() {
        JobEvent failed = new JobEvent("jid1", JobStatus.FAILED, T0.plusSeconds(2), null, null, null,
                "FlakyError", "deliberate failure", null);
        Job job = replay(event(JobStatus.STARTED, 1), failed);
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.errorClass()).isEqualTo("FlakyError");
        job = job.apply(event(JobStatus.STARTED, 10), RECEIVED);
        assertThat(job.status()).isEqualTo(JobStatus.STARTED);
        assertThat(job.attempts()).isEqualTo(2);
        assertThat(job.failedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(job.errorMessage()).isEqualTo("deliberate failure");
    }

    @Test
    void an_older_failure_does_not_replace_the_error_of_a_newer_one() {
        JobEvent newer = new JobEvent("jid1", JobStatus.FAILED, T0.plusSeconds(20), null, null, null, "B", "second", null);
        JobEvent older = new JobEvent("jid1", JobStatus.FAILED, T0.plusSeconds(10), null, null, null, "A", "first", null);
        Job job = replay(newer, older);
        assertThat(job.errorClass()).isEqualTo("B");
        assertThat(job.failedAt()).isEqualTo(T0.plusSeconds(20));
    }

    @Test
    void an_event_for_an_unknown_job_creates_it_in_that_status() {
        Job job = Job.first(JobEvent.of("abc", JobStatus.STARTED, T0), RECEIVED);
        assertThat(job.status()).isEqualTo(JobStatus.STARTED);
        assertThat(job.queuedAt()).isNull();
        assertThat(job.jobClass()).isNull();
        assertThat(job.attempts()).isEqualTo(1);
    }

    @Test
    void events_fill_in_what_the_job_lacked_and_never_overwrite_it() {
        Job job = Job.first(JobEvent.of("jid1", JobStatus.STARTED, T0), RECEIVED);
        job = job.apply(new JobEvent("jid1", JobStatus.COMPLETE, T0.plusSeconds(1), "A", "q1", "[1]", null, null, null), RECEIVED);
        job = job.apply(new JobEvent("jid1", JobStatus.COMPLETE, T0.plusSeconds(2), "B", "q2", "[2]", null, null, null), RECEIVED);
        assertThat(job.jobClass()).isEqualTo("A");
        assertThat(job.queue()).isEqualTo("q1");
        assertThat(job.arguments()).isEqualTo("[1]");
    }

    @Test
    void an_event_for_another_job_is_refused() {
        Job job = Job.first(JobEvent.of("a", JobStatus.QUEUED, T0), RECEIVED);
        assertThatThrownBy(() -> job.apply(JobEvent.of("b", JobStatus.STARTED, T0), RECEIVED))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void event_validation_names_the_field() {
        assertThatThrownBy(() -> JobEvent.of("", JobStatus.QUEUED, null))
                .isInstanceOf(InvalidInputException.class).extracting("field").isEqualTo("job_id");
        assertThatThrownBy(() -> JobEvent.of("a/b", JobStatus.QUEUED, null))
                .isInstanceOf(InvalidInputException.class).extracting("field").isEqualTo("job_id");
        assertThatThrownBy(() -> JobEvent.of("x".repeat(65), JobStatus.QUEUED, null))
                .isInstanceOf(InvalidInputException.class).extracting("field").isEqualTo("job_id");
        assertThatThrownBy(() -> new JobEvent("a", JobStatus.QUEUED, null, "C".repeat(256), null, null, null, null, null))
                .isInstanceOf(InvalidInputException.class).extracting("field").isEqualTo("job_class");
        assertThatThrownBy(() -> new JobEvent("a", JobStatus.QUEUED, null, null, "q".repeat(256), null, null, null, null))
                .isInstanceOf(InvalidInputException.class).extracting("field").isEqualTo("queue");
        assertThatThrownBy(() -> new JobEvent("a", JobStatus.QUEUED, null, null, null, "[1,", null, null, null))
                .isInstanceOf(InvalidInputException.class).extracting("field").isEqualTo("arguments");
        assertThatThrownBy(() -> new JobEvent("a", JobStatus.QUEUED, null, null, null, "[1] [2]", null, null, null))
                .isInstanceOf(InvalidInputException.class).extracting("field").isEqualTo("arguments");
        assertThatThrownBy(() -> new JobEvent("a", JobStatus.QUEUED, null, null, null, "[".repeat(600) + "]".repeat(600), null, null, null))
                .isInstanceOf(InvalidInputException.class).extracting("field").isEqualTo("arguments");
        assertThatThrownBy(() -> JobEvent.of("a", JobStatus.QUEUED, Instant.ofEpochSecond(1_700_000_000_000L)))
                .isInstanceOf(InvalidInputException.class).extracting("field").isEqualTo("at");
    }

    @Test
    void valid_edge_values_are_accepted_as_they_are() {
        String args = "[12345678901234567890123,\"ünï ✓ 😀\",{\"k\":[1.10,{\"é\":null}]}]";
        JobEvent event = new JobEvent("A-z_0".repeat(12) + "abcd", JobStatus.QUEUED, null, "C".repeat(255), "", args, null, null, null);
        assertThat(event.arguments()).isEqualTo(args);
        assertThat(event.queue()).isNull();
        assertThat(new JobEvent("a", JobStatus.QUEUED, null, null, null, "[".repeat(400) + "]".repeat(400), null, null, null)
                .arguments()).hasSize(800);
    }

    private static JobEvent withPayload(JobStatus status, int second, String payload) {
        return new JobEvent("jid1", status, T0.plusSeconds(second), null, null, null, null, null, null, payload);
    }

    @Test
    void the_payload_is_the_latest_by_event_time_and_a_late_older_one_does_not_replace_it() {
        Job job = replay(withPayload(JobStatus.QUEUED, 0, "{\"retry_count\":0}"), withPayload(JobStatus.STARTED, 2, "{\"retry_count\":1}"),
                withPayload(JobStatus.STARTED, 1, "{\"late\":true}"));
        assertThat(job.payload()).isEqualTo("{\"retry_count\":1}");
        assertThat(job.payloadAt()).isEqualTo(T0.plusSeconds(2));
        // An event without a payload, even a newer one, keeps the one the job has.
        job = job.apply(event(JobStatus.COMPLETE, 3), RECEIVED);
        assertThat(job.payload()).isEqualTo("{\"retry_count\":1}");
        // A late event brings the first payload a job ever had: nothing newer to keep.
        Job late = replay(event(JobStatus.COMPLETE, 5), withPayload(JobStatus.STARTED, 1, "{\"a\":1}"));
        assertThat(late.payload()).isEqualTo("{\"a\":1}");
        assertThat(late.payloadAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(replay(event(JobStatus.STARTED, 1)).payload()).isNull();
    }

    @Test
    void a_payload_must_be_one_json_object_within_its_limit_and_is_kept_exactly_as_sent() {
        for (String bad : new String[] {"[1]", "\"text\"", "42", "null", "{\"a\":", "{} {}", "{\"a\":1}x"}) {
            assertThatThrownBy(() -> withPayload(JobStatus.STARTED, 0, bad)).as(bad)
                    .isInstanceOf(InvalidInputException.class).extracting("field").isEqualTo("payload");
        }
        String tooLong = "{\"k\":\"" + "x".repeat(JobEvent.MAX_PAYLOAD_LENGTH) + "\"}";
        assertThatThrownBy(() -> withPayload(JobStatus.STARTED, 0, tooLong))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("payload is longer than 1000000 characters");
        String exact = "{\"retry\":false,\"args\":[12345678901234567890123,\"ünï 😀\",1.10],\"tags\":[\"a\"]}";
        assertThat(withPayload(JobStatus.STARTED, 0, exact).payload()).isEqualTo(exact);
        assertThat(withPayload(JobStatus.STARTED, 0, "").payload()).isNull();
        // Stamping the time keeps it.
        assertThat(new JobEvent("a", JobStatus.STARTED, null, null, null, null, null, null, null, exact).at(T0).payload())
                .isEqualTo(exact);
    }
}
