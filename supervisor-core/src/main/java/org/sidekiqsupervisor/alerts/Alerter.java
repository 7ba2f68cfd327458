package org.sidekiqsupervisor.alerts;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.sidekiqsupervisor.internal.Failures;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RecordResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends alerts to webhooks: a job failed, a job was lost, a job ran longer than its class's threshold.
 *
 * <p>Never in the way of ingest: noticing an alert only puts it on a bounded queue (when the queue is full the alert
 * is dropped and counted), and one sender thread posts it. Each webhook gets up to {@value #TRIES} tries with
 * back-off (1 s, 2 s, 4 s) on a network error, a 5xx, a 408 or a 429. Rate-limited per kind and job class: at most
 * one alert per {@link AlertSettings#minInterval()}; the ones held back are counted in the next one sent. A lost job
 * is alerted once. Thread-safe.
 */
public final class Alerter implements AutoCloseable {
    static final int TRIES = 4;
    static final int QUEUE = 1000;
    private static final int REMEMBERED = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(Alerter.class);
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;

    private final AlertSettings settings;
    private final Clock clock;
    private final MeterRegistry registry;
    private final HttpClient client;
    private final BlockingQueue<Alert> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Map<String, Window> windows = Collections.synchronizedMap(lru());
    private final Thread sender;
    private final Duration firstBackoff;
    private volatile boolean closed;

    /** Rate-limit state of one kind and class: when the last alert went, and how many were held back since. */
    private static final class Window {
        Instant lastSent;
        long suppressed;
    }

    /** Starts the sender thread when any webhook is configured; {@link #close()} stops it. */
    public Alerter(AlertSettings settings, Clock clock, MeterRegistry registry) {
        this(settings, clock, registry, Duration.ofSeconds(1));
    }

    Alerter(AlertSettings settings, Clock clock, MeterRegistry registry, Duration firstBackoff) {
        this.settings = settings;
        this.clock = clock;
        this.registry = registry;
        this.firstBackoff = firstBackoff;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        this.sender = new Thread(this::send, "supervisor-alerts");
        sender.setDaemon(true);
        if (settings.enabled()) {
            sender.start();
        }
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > REMEMBERED;
            }
        };
    }

    /** Whether any webhook is configured. */
    public boolean enabled() {
        return settings.enabled();
    }

    /** Looks at recorded events for failures and slow runs. Returns at once. */
    public void recorded(List<JobEvent> events, List<RecordResult> results) {
        if (!settings.enabled()) {
            return;
        }
        for (int i = 0; i < results.size(); i++) {
            RecordResult result = results.get(i);
            if (result.outcome() == RecordResult.Outcome.DUPLICATE) {
                continue;
            }
            JobEvent event = events.get(i);
            Job job = result.job();
            if (event.status() == JobStatus.FAILED) {
                offer(new Alert(Alert.Kind.JOB_FAILED, job, null, null, clock.instant(), 0));
            }
            Duration threshold = settings.slowAfter(job.jobClass());
            if (event.status() == JobStatus.COMPLETE && threshold != null && job.startedAt() != null && job.completedAt() != null) {
                Duration ran = Duration.between(job.startedAt(), job.completedAt());
                if (ran.compareTo(threshold) > 0) {
                    offer(new Alert(Alert.Kind.JOB_SLOW, job, ran, threshold, clock.instant(), 0));
                }
            }
        }
    }

    /** Alerts this lost job (the store lets one supervisor find each job lost: one alert per job). Returns at once. */
    public void lost(Job job) {
        if (settings.enabled()) {
            offer(new Alert(Alert.Kind.JOB_LOST, job, null, null, clock.instant(), 0));
        }
    }

    private void offer(Alert alert) {
        String key = alert.kind() + " " + alert.job().jobClass();
        long suppressed;
        synchronized (windows) {
            Window window = windows.computeIfAbsent(key, k -> new Window());
            Instant now = alert.at();
            if (window.lastSent != null && Duration.between(window.lastSent, now).compareTo(settings.minInterval()) < 0) {
                window.suppressed++;
                counter("supervisor.alerts.suppressed", alert.kind()).increment();
                return;
            }
            suppressed = window.suppressed;
            window.lastSent = now;
            window.suppressed = 0;
        }
        if (!queue.offer(alert.withSuppressed(suppressed))) {
            counter("supervisor.alerts.dropped", alert.kind()).increment();
            LOG.warn("alert queue full: dropped a {} alert for job {}", alert.kind().wireName(), alert.job().jobId());
        }
    }

    private Counter counter(String name, Alert.Kind kind) {
        return Counter.builder(name).tag("kind", kind.wireName()).register(registry);
    }

    private void send() {
        while (!closed || !queue.isEmpty()) {
            Alert alert;
            try {
                alert = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (alert == null) {
                continue;
            }
            for (AlertSettings.Webhook webhook : settings.webhooks()) {
                deliver(webhook, alert);
            }
        }
    }

    private void deliver(AlertSettings.Webhook webhook, Alert alert) {
        String body = webhook.format() == AlertSettings.Format.SLACK ? slack(alert) : json(alert);
        HttpRequest request = HttpRequest.newBuilder(webhook.url()).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("User-Agent", "sidekiq-supervisor")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        Duration backoff = firstBackoff;
        for (int attempt = 1; ; attempt++) {
            String failure;
            boolean retryable = true;
            try {
                int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    counter("supervisor.alerts.sent", alert.kind()).increment();
                    return;
                }
                failure = "answered " + status;
                // Another 4xx says the request itself is wrong: sending it again would not help.
                retryable = status / 100 != 4 || status == 408 || status == 429;
            } catch (IOException e) {
                failure = Failures.rootMessage(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!retryable || attempt >= TRIES || closed) {
                counter("supervisor.alerts.failed", alert.kind()).increment();
                LOG.warn("could not deliver a {} alert for job {} to {} after {} tries: {}", alert.kind().wireName(),
                        alert.job().jobId(), webhook.url().getHost(), attempt, failure);
                return;
            }
            try {
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = backoff.multipliedBy(2);
        }
    }

    /** One line a person reads. */
    static String text(Alert alert) {
        Job job = alert.job();
        String who = "Sidekiq job " + (job.jobClass() == null ? "" : job.jobClass() + " ") + job.jobId()
                + (job.queue() == null ? "" : " (queue " + job.queue() + ")");
        String what = switch (alert.kind()) {
            case JOB_FAILED -> who + " failed" + (job.errorClass() == null ? "" : ": " + job.errorClass()
                    + (job.errorMessage() == null ? "" : ": " + cut(job.errorMessage(), 300))) + " (attempt " + job.attempts() + ")";
            case JOB_LOST -> who + " was lost: it started" + (job.startedAt() == null ? "" : " at " + ISO.format(job.startedAt()))
                    + " and no Sidekiq process runs it or holds it. Restart it from the dashboard or with the restart command.";
            case JOB_SLOW -> who + " ran " + seconds(alert.runTime()) + ", over its threshold of " + seconds(alert.threshold());
        };
        return alert.suppressed() == 0 ? what : what + " (and " + alert.suppressed() + " more like it held back)";
    }

    static String json(Alert alert) {
        Job job = alert.job();
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("event", alert.kind().wireName());
        node.put("at", ISO.format(alert.at()));
        node.put("text", text(alert));
        node.put("suppressed", alert.suppressed());
        ObjectNode about = node.putObject("job");
        about.put("job_id", job.jobId());
        about.put("job_class", job.jobClass());
        about.put("queue", job.queue());
        about.put("status", job.status().wireName());
        if (job.arguments() == null) {
            about.putNull("arguments");
        } else {
            about.putRawValue("arguments", new RawValue(job.arguments()));
        }
        about.put("attempts", job.attempts());
        about.put("restarts", job.restarts());
        about.put("started_at", job.startedAt() == null ? null : ISO.format(job.startedAt()));
        about.put("completed_at", job.completedAt() == null ? null : ISO.format(job.completedAt()));
        if (job.errorClass() != null || job.errorMessage() != null) {
            about.putObject("error").put("class", job.errorClass()).put("message", job.errorMessage());
        }
        if (alert.runTime() != null) {
            node.put("run_ms", alert.runTime().toMillis());
            node.put("threshold_ms", alert.threshold().toMillis());
        }
        return node.toString();
    }

    static String slack(Alert alert) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("text", text(alert));
        return node.toString();
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }

    /** Sends what is queued (for up to 10 s), then stops. */
    @Override
    public void close() {
        closed = true;
        if (sender.isAlive()) {
            try {
                sender.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sender.interrupt();
        }
    }
}
