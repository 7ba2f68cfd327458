package org.sidekiqsupervisor.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.testing.TestClock;

/**
 * Alerts to webhooks against a local receiver: what is sent, to whom, how often, with retries, never blocking.
 *
 * <p>Where a test shows that nothing more was sent, it closes the alerter first: {@link Alerter#close()} sends
 * everything still queued, so after it every alert that was noticed has been posted, and counting is final.
 */
class AlerterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-28T17:00:00Z");
    private WebhookReceiver receiver;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void start() {
        receiver = WebhookReceiver.start();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private AlertSettings settings(Duration slow, Map<String, Duration> perClass, Duration interval) {
        return new AlertSettings(List.of(new AlertSettings.Webhook(receiver.url("/json"), AlertSettings.Format.JSON),
                new AlertSettings.Webhook(receiver.url("/slack"), AlertSettings.Format.SLACK)), slow, perClass, interval);
    }

    private AlertSettings oneJsonWebhook() {
        return new AlertSettings(List.of(new AlertSettings.Webhook(receiver.url("/json"), AlertSettings.Format.JSON)), null, Map.of(),
                Duration.ZERO);
    }

    private static Job job(String id, String jobClass, JobStatus status, Instant started, Instant completed) {
        return new Job(id, jobClass, "default", "[1,\"<b>\"]", status, T0, T0, started, completed, status == JobStatus.FAILED ? T0 : null, 2,
                status == JobStatus.FAILED ? "Net::ReadTimeout" : null, status == JobStatus.FAILED ? "execution expired" : null, null, T0, T0,
                0, null, null);
    }

    private static void record(Alerter alerter, JobStatus status, Job job) {
        alerter.recorded(List.of(new JobEvent(job.jobId(), status, T0, null, null, null, null, null, null).at(T0)),
                List.of(new RecordResult(RecordResult.Outcome.UPDATED, job)));
    }

    private void awaitGivenUp() {
        await("an alert given up on").atMost(WebhookReceiver.PATIENCE).until(() -> registry.find("supervisor.alerts.failed").counter() != null);
    }

    @Test
    void a_failed_job_is_posted_as_json_and_as_a_slack_message() throws Exception {
        try (Alerter alerter = new Alerter(settings(null, Map.of(), Duration.ZERO), new TestClock(T0), registry)) {
            record(alerter, JobStatus.FAILED, job("f1", "HardWorker", JobStatus.FAILED, T0, null));
            receiver.awaitReceived(2);
        }
        JsonNode json = JSON.readTree(receiver.receivedAt("/json"));
        assertThat(json.get("event").asText()).isEqualTo("job_failed");
        assertThat(json.get("job").get("job_id").asText()).isEqualTo("f1");
        assertThat(json.get("job").get("arguments").get(1).asText()).isEqualTo("<b>");
        assertThat(json.get("job").get("error").get("class").asText()).isEqualTo("Net::ReadTimeout");
        assertThat(json.get("text").asText()).contains("HardWorker f1").contains("failed: Net::ReadTimeout: execution expired");
        JsonNode slack = JSON.readTree(receiver.receivedAt("/slack"));
        assertThat(slack.fieldNames()).toIterable().containsExactly("text");
        assertThat(slack.get("text").asText()).isEqualTo(json.get("text").asText());
        assertThat(registry.get("supervisor.alerts.sent").tag("kind", "job_failed").counter().count()).isEqualTo(2.0);
    }

    @Test
    void a_job_that_runs_over_its_class_threshold_is_slow() throws Exception {
        AlertSettings slow = new AlertSettings(List.of(new AlertSettings.Webhook(receiver.url("/json"), AlertSettings.Format.JSON)),
                Duration.ofSeconds(10), Map.of("Report", Duration.ofMinutes(5)), Duration.ZERO);
        try (Alerter alerter = new Alerter(slow, new TestClock(T0), registry)) {
            record(alerter, JobStatus.COMPLETE, job("fast", "Mailer", JobStatus.COMPLETE, T0, T0.plusSeconds(9)));
            record(alerter, JobStatus.COMPLETE, job("report", "Report", JobStatus.COMPLETE, T0, T0.plusSeconds(60)));
            record(alerter, JobStatus.COMPLETE, job("slow", "Mailer", JobStatus.COMPLETE, T0, T0.plusSeconds(12)));
        }
        assertThat(receiver.received()).hasSize(1);
        JsonNode json = JSON.readTree(receiver.received().get(0));
        assertThat(json.get("event").asText()).isEqualTo("job_slow");
        assertThat(json.get("job").get("job_id").asText()).isEqualTo("slow");
        assertThat(json.get("run_ms").asLong()).isEqualTo(12_000);
        assertThat(json.get("threshold_ms").asLong()).isEqualTo(10_000);
    }

    @Test
    void alerts_are_rate_limited_per_kind_and_class_and_the_next_one_counts_those_held_back() throws Exception {
        TestClock clock = new TestClock(T0);
        AlertSettings one = new AlertSettings(List.of(new AlertSettings.Webhook(receiver.url("/json"), AlertSettings.Format.JSON)), null,
                Map.of(), Duration.ofSeconds(60));
        try (Alerter alerter = new Alerter(one, clock, registry)) {
            for (int i = 0; i < 10; i++) {
                record(alerter, JobStatus.FAILED, job("a" + i, "A", JobStatus.FAILED, T0, null));
            }
            record(alerter, JobStatus.FAILED, job("b0", "B", JobStatus.FAILED, T0, null));
            receiver.awaitReceived(2);
            clock.advance(Duration.ofSeconds(61));
            record(alerter, JobStatus.FAILED, job("a10", "A", JobStatus.FAILED, T0, null));
            receiver.awaitReceived(3);
        }
        assertThat(receiver.received()).hasSize(3);
        JsonNode last = JSON.readTree(receiver.received().get(2));
        assertThat(last.get("job").get("job_id").asText()).isEqualTo("a10");
        assertThat(last.get("suppressed").asInt()).isEqualTo(9);
        assertThat(last.get("text").asText()).endsWith("(and 9 more like it held back)");
        assertThat(registry.get("supervisor.alerts.suppressed").counter().count()).isEqualTo(9.0);
    }

    @Test
    void a_failing_webhook_is_retried_with_back_off() throws Exception {
        receiver.refuseNext(2, 503);
        try (Alerter alerter = new Alerter(oneJsonWebhook(), new TestClock(T0), registry, Duration.ofMillis(50))) {
            record(alerter, JobStatus.FAILED, job("r1", "A", JobStatus.FAILED, T0, null));
            receiver.awaitReceived(1);
        }
        assertThat(receiver.refusalsLeft()).isLessThan(0);
        assertThat(registry.get("supervisor.alerts.sent").counter().count()).isEqualTo(1.0);

        receiver.refuseNext(100, 503);
        try (Alerter alerter = new Alerter(oneJsonWebhook(), new TestClock(T0), registry, Duration.ofMillis(10))) {
            record(alerter, JobStatus.FAILED, job("r2", "A", JobStatus.FAILED, T0, null));
            awaitGivenUp();
        }
        assertThat(registry.get("supervisor.alerts.failed").counter().count()).isEqualTo(1.0);
        assertThat(100 - receiver.refusalsLeft()).as("tries").isEqualTo(Alerter.TRIES);
    }

    @Test
    void a_webhook_that_refuses_the_request_is_not_tried_again() throws Exception {
        receiver.refuseNext(100, 400);
        try (Alerter alerter = new Alerter(oneJsonWebhook(), new TestClock(T0), registry, Duration.ofMillis(10))) {
            record(alerter, JobStatus.FAILED, job("bad", "A", JobStatus.FAILED, T0, null));
            // Counted as failed only once the alerter has stopped trying: any retry would already have arrived.
            awaitGivenUp();
        }
        assertThat(receiver.requests()).isEqualTo(1);
        assertThat(registry.get("supervisor.alerts.failed").counter().count()).isEqualTo(1.0);
    }

    @Test
    void a_slow_receiver_never_holds_up_recording_and_overflow_is_dropped_and_counted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        receiver.holdUntil(release);
        try (Alerter alerter = new Alerter(oneJsonWebhook(), new TestClock(T0), registry)) {
            try {
                record(alerter, JobStatus.FAILED, job("s0", "A", JobStatus.FAILED, T0, null));
                receiver.awaitRequests(1);
                // The receiver answers nothing until the assertions below are done: recording that waited for it would
                // never finish, and the bound only turns such a hang into a failure.
                CompletableFuture<Void> recording = CompletableFuture.runAsync(() -> {
                    for (int i = 1; i <= Alerter.QUEUE + 500; i++) {
                        record(alerter, JobStatus.FAILED, job("s" + i, "A", JobStatus.FAILED, T0, null));
                    }
                });
                assertThat(recording).as("noticing 1,500 alerts while the receiver hangs").succeedsWithin(WebhookReceiver.PATIENCE);
                assertThat(registry.get("supervisor.alerts.dropped").counter().count()).isGreaterThanOrEqualTo(499.0);
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void a_lost_job_is_alerted() throws Exception {
        try (Alerter alerter = new Alerter(oneJsonWebhook(), new TestClock(T0), registry)) {
            alerter.lost(job("l1", "A", JobStatus.STARTED, T0, null));
        }
        assertThat(receiver.received()).hasSize(1);
        assertThat(JSON.readTree(receiver.received().get(0)).get("event").asText()).isEqualTo("job_lost");
    }
}
