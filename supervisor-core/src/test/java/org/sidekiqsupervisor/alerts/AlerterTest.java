package org.sidekiqsupervisor.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.TestClock;

/** Alerts to webhooks against a local receiver: what is sent, to whom, how often, with retries, never blocking. */
class AlerterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-28T17:00:00Z");

    private HttpServer receiver;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    /** How many of the next requests answer 503 before the receiver accepts. */
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile long delayMillis;
    /** The status the receiver's failing answers carry. */
    private volatile int failureStatus = 503;
    private final AtomicInteger requests = new AtomicInteger();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        receiver.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                requests.incrementAndGet();
                int status = failuresLeft.getAndDecrement() > 0 ? failureStatus : 200;
                if (status == 200) {
                    received.add(body);
                    paths.add(exchange.getRequestURI().getPath());
                }
                exchange.sendResponseHeaders(status, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + path);
    }

    private AlertSettings settings(Duration slow, Map<String, Duration> perClass, Duration interval) {
        return new AlertSettings(List.of(new AlertSettings.Webhook(url("/json"), AlertSettings.Format.JSON),
                new AlertSettings.Webhook(url("/slack"), AlertSettings.Format.SLACK)), slow, perClass, interval, null);
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

    private void awaitReceived(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(received).hasSizeGreaterThanOrEqualTo(count);
    }

    @Test
    void a_failed_job_is_posted_as_json_and_as_a_slack_message() throws Exception {
        try (Alerter alerter = new Alerter(settings(null, Map.of(), Duration.ZERO), new TestClock(T0), registry)) {
            record(alerter, JobStatus.FAILED, job("f1", "HardWorker", JobStatus.FAILED, T0, null));
            awaitReceived(2);
        }
        JsonNode json = JSON.readTree(received.get(paths.indexOf("/json")));
        assertThat(json.get("event").asText()).isEqualTo("job_failed");
        assertThat(json.get("job").get("job_id").asText()).isEqualTo("f1");
        assertThat(json.get("job").get("arguments").get(1).asText()).isEqualTo("<b>");
        assertThat(json.get("job").get("error").get("class").asText()).isEqualTo("Net::ReadTimeout");
        assertThat(json.get("text").asText()).contains("HardWorker f1").contains("failed: Net::ReadTimeout: execution expired");
        JsonNode slack = JSON.readTree(received.get(paths.indexOf("/slack")));
        assertThat(slack.fieldNames()).toIterable().containsExactly("text");
        assertThat(slack.get("text").asText()).isEqualTo(json.get("text").asText());
        assertThat(registry.get("supervisor.alerts.sent").tag("kind", "job_failed").counter().count()).isEqualTo(2.0);
    }

    @Test
    void a_job_that_runs_over_its_class_threshold_is_slow() throws Exception {
        AlertSettings slow = new AlertSettings(List.of(new AlertSettings.Webhook(url("/json"), AlertSettings.Format.JSON)),
                Duration.ofSeconds(10), Map.of("Report", Duration.ofMinutes(5)), Duration.ZERO, null);
        try (Alerter alerter = new Alerter(slow, new TestClock(T0), registry)) {
            record(alerter, JobStatus.COMPLETE, job("fast", "Mailer", JobStatus.COMPLETE, T0, T0.plusSeconds(9)));
            record(alerter, JobStatus.COMPLETE, job("report", "Report", JobStatus.COMPLETE, T0, T0.plusSeconds(60)));
            record(alerter, JobStatus.COMPLETE, job("slow", "Mailer", JobStatus.COMPLETE, T0, T0.plusSeconds(12)));
            awaitReceived(1);
            Thread.sleep(300);
        }
        assertThat(received).hasSize(1);
        JsonNode json = JSON.readTree(received.get(0));
        assertThat(json.get("event").asText()).isEqualTo("job_slow");
        assertThat(json.get("job").get("job_id").asText()).isEqualTo("slow");
        assertThat(json.get("run_ms").asLong()).isEqualTo(12_000);
        assertThat(json.get("threshold_ms").asLong()).isEqualTo(10_000);
    }

    @Test
    void alerts_are_rate_limited_per_kind_and_class_and_the_next_one_counts_those_held_back() throws Exception {
        TestClock clock = new TestClock(T0);
        AlertSettings one = new AlertSettings(List.of(new AlertSettings.Webhook(url("/json"), AlertSettings.Format.JSON)), null, Map.of(),
                Duration.ofSeconds(60), null);
        try (Alerter alerter = new Alerter(one, clock, registry)) {
            for (int i = 0; i < 10; i++) {
                record(alerter, JobStatus.FAILED, job("a" + i, "A", JobStatus.FAILED, T0, null));
            }
            record(alerter, JobStatus.FAILED, job("b0", "B", JobStatus.FAILED, T0, null));
            awaitReceived(2);
            clock.advance(Duration.ofSeconds(61));
            record(alerter, JobStatus.FAILED, job("a10", "A", JobStatus.FAILED, T0, null));
            awaitReceived(3);
        }
        assertThat(received).hasSize(3);
        JsonNode last = JSON.readTree(received.get(2));
        assertThat(last.get("job").get("job_id").asText()).isEqualTo("a10");
        assertThat(last.get("suppressed").asInt()).isEqualTo(9);
        assertThat(last.get("text").asText()).endsWith("(and 9 more like it held back)");
        assertThat(registry.get("supervisor.alerts.suppressed").counter().count()).isEqualTo(9.0);
    }

    @Test
    void a_failing_webhook_is_retried_with_back_off() throws Exception {
        failuresLeft.set(2);
        AlertSettings one = new AlertSettings(List.of(new AlertSettings.Webhook(url("/json"), AlertSettings.Format.JSON)), null, Map.of(),
                Duration.ZERO, null);
        try (Alerter alerter = new Alerter(one, new TestClock(T0), registry, Duration.ofMillis(50))) {
            record(alerter, JobStatus.FAILED, job("r1", "A", JobStatus.FAILED, T0, null));
            awaitReceived(1);
        }
        assertThat(failuresLeft.get()).isLessThan(0);
        assertThat(registry.get("supervisor.alerts.sent").counter().count()).isEqualTo(1.0);

        failuresLeft.set(100);
        try (Alerter alerter = new Alerter(one, new TestClock(T0), registry, Duration.ofMillis(10))) {
            record(alerter, JobStatus.FAILED, job("r2", "A", JobStatus.FAILED, T0, null));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (registry.find("supervisor.alerts.failed").counter() == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        assertThat(registry.get("supervisor.alerts.failed").counter().count()).isEqualTo(1.0);
        assertThat(100 - failuresLeft.get()).as("tries").isEqualTo(Alerter.TRIES);
    }

    @Test
    void a_webhook_that_refuses_the_request_is_not_tried_again() throws Exception {
        failuresLeft.set(100);
        failureStatus = 400;
        AlertSettings one = new AlertSettings(List.of(new AlertSettings.Webhook(url("/json"), AlertSettings.Format.JSON)), null, Map.of(),
                Duration.ZERO, null);
        try (Alerter alerter = new Alerter(one, new TestClock(T0), registry, Duration.ofMillis(10))) {
            record(alerter, JobStatus.FAILED, job("bad", "A", JobStatus.FAILED, T0, null));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (registry.find("supervisor.alerts.failed").counter() == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(200);
        }
        assertThat(requests.get()).isEqualTo(1);
        assertThat(registry.get("supervisor.alerts.failed").counter().count()).isEqualTo(1.0);
    }

    @Test
    void a_slow_receiver_never_holds_up_recording_and_overflow_is_dropped_and_counted() throws Exception {
        delayMillis = 2000;
        AlertSettings one = new AlertSettings(List.of(new AlertSettings.Webhook(url("/json"), AlertSettings.Format.JSON)), null, Map.of(),
                Duration.ZERO, null);
        try (Alerter alerter = new Alerter(one, new TestClock(T0), registry)) {
            long start = System.nanoTime();
            for (int i = 0; i < Alerter.QUEUE + 500; i++) {
                record(alerter, JobStatus.FAILED, job("s" + i, "A", JobStatus.FAILED, T0, null));
            }
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMs).as("noticing 1,500 alerts while the receiver hangs").isLessThan(2000);
            assertThat(registry.get("supervisor.alerts.dropped").counter().count()).isGreaterThanOrEqualTo(499.0);
            delayMillis = 0;
        }
    }

    @Test
    void a_lost_job_is_alerted_once() throws Exception {
        AlertSettings one = new AlertSettings(List.of(new AlertSettings.Webhook(url("/json"), AlertSettings.Format.JSON)), null, Map.of(),
                Duration.ZERO, null);
        try (Alerter alerter = new Alerter(one, new TestClock(T0), registry)) {
            Job lost = job("l1", "A", JobStatus.STARTED, T0, null);
            alerter.lost(List.of(lost));
            alerter.lost(List.of(lost));
            awaitReceived(1);
            Thread.sleep(300);
        }
        assertThat(received).hasSize(1);
        assertThat(JSON.readTree(received.get(0)).get("event").asText()).isEqualTo("job_lost");
    }

    @Test
    void the_supervisor_finds_lost_jobs_on_its_own_and_alerts_them() throws Exception {
        AlertSettings settings = new AlertSettings(List.of(new AlertSettings.Webhook(url("/json"), AlertSettings.Format.JSON)), null,
                Map.of(), Duration.ZERO, Duration.ofMillis(200));
        try (RedisServer redis = RedisServer.start(); FakeSidekiq sidekiq = new FakeSidekiq(redis, 7);
             Supervisor supervisor = Supervisor.builder().databaseUrl("jdbc:h2:mem:" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
                     .redisUrl(redis.url()).alerts(settings).build()) {
            Instant longAgo = Instant.now().minusSeconds(600);
            supervisor.jobManager().record(new JobEvent("gone1", JobStatus.STARTED, longAgo, "HardWorker", "default", "[1]", null, null, null));
            supervisor.jobManager().record(new JobEvent("busy1", JobStatus.STARTED, longAgo, "HardWorker", "default", "[2]", null, null, null));
            sidekiq.liveProcess("host:1:abc", Map.of("t1", "busy1"));
            supervisor.jobManager().record(new JobEvent("oops", JobStatus.FAILED, Instant.now(), "Mailer", "mail", "[3]", "E", "boom", null));
            awaitReceived(2);
            Thread.sleep(600);
        }
        List<String> events = received.stream().map(body -> {
            try {
                JsonNode node = JSON.readTree(body);
                return node.get("event").asText() + " " + node.get("job").get("job_id").asText();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(events).containsExactlyInAnyOrder("job_lost gone1", "job_failed oops");
    }
}
