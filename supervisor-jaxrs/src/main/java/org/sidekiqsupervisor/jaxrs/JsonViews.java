package org.sidekiqsupervisor.jaxrs;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import org.sidekiqsupervisor.model.DurationReport;
import org.sidekiqsupervisor.model.DurationSummary;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobDuration;
import org.sidekiqsupervisor.model.JobEventRecord;
import org.sidekiqsupervisor.model.JobListing;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.sidekiq.SidekiqSettings;
import org.sidekiqsupervisor.model.PageCursor;
import org.sidekiqsupervisor.model.RestartResult;
import org.sidekiqsupervisor.sidekiq.SidekiqState;

/**
 * The API's JSON shapes (contract section 3): snake_case keys, ISO-8601 UTC times with milliseconds,
 * {@code arguments} as the JSON value itself, written from the stored text without re-encoding. The console
 * commands print the same shapes with {@code --json}.
 */
public final class JsonViews {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private JsonViews() {
    }

    /** The job; {@code lost} is added when known (Redis configured), else left out. */
    public static ObjectNode job(Job job, Boolean lost) {
        ObjectNode node = NODES.objectNode();
        node.put("job_id", job.jobId());
        node.put("job_class", job.jobClass());
        node.put("queue", job.queue());
        if (job.arguments() == null) {
            node.putNull("arguments");
        } else {
            // The stored text was validated as one JSON value on the way in; it is written out unchanged.
            node.putRawValue("arguments", new RawValue(job.arguments()));
        }
        node.put("status", job.status().wireName());
        node.put("queued_at", time(job.queuedAt()));
        node.put("started_at", time(job.startedAt()));
        node.put("completed_at", time(job.completedAt()));
        node.put("failed_at", time(job.failedAt()));
        node.put("attempts", job.attempts());
        if (job.errorClass() == null && job.errorMessage() == null) {
            node.putNull("error");
        } else {
            ObjectNode error = node.putObject("error");
            error.put("class", job.errorClass());
            error.put("message", job.errorMessage());
        }
        node.put("restarted_from", job.restartedFrom());
        node.put("restarts", job.restarts());
        node.put("last_event_at", time(job.activityAt()));
        if (job.progress() == null) {
            node.putNull("progress");
        } else {
            ObjectNode progress = node.putObject("progress");
            progress.put("at", job.progress().at());
            progress.put("total", job.progress().total());
            progress.put("message", job.progress().message());
            progress.put("updated_at", time(job.progress().updatedAt()));
        }
        if (lost != null) {
            node.put("lost", lost);
        }
        return node;
    }

    /**
     * The job with what its restart rules say: a lost job adds its class's {@code policy} (restart, hold, never), and an
     * uncompleted job whose lineage was restarted {@code maxRestarts} times adds {@code "quarantined": true}.
     */
    public static ObjectNode job(Job job, Boolean lost, SidekiqSettings settings) {
        ObjectNode node = job(job, lost);
        if (Boolean.TRUE.equals(lost)) {
            node.put("policy", settings.policy(job.jobClass()).wireName());
        }
        boolean uncompleted = job.status() == JobStatus.QUEUED || job.status() == JobStatus.STARTED;
        if (uncompleted && settings.quarantined(job.restarts())) {
            node.put("quarantined", true);
        }
        return node;
    }

    /**
     * The job with its {@code payload} (the Sidekiq hash a restart pushes; only here, to keep list pages small) and its
     * {@code events}, oldest first.
     */
    public static ObjectNode details(JobDetails details, Boolean lost, SidekiqSettings settings) {
        ObjectNode node = job(details.job(), lost, settings);
        if (details.job().payload() == null) {
            node.putNull("payload");
        } else {
            // Validated as one JSON object on the way in; written out unchanged, as arguments are.
            node.putRawValue("payload", new RawValue(details.job().payload()));
        }
        ArrayNode events = node.putArray("events");
        for (JobEventRecord event : details.events()) {
            ObjectNode entry = events.addObject();
            entry.put("status", event.status().wireName());
            entry.put("at", time(event.at()));
            entry.put("received_at", time(event.receivedAt()));
            if (event.errorClass() != null || event.errorMessage() != null) {
                entry.put("error_class", event.errorClass());
                entry.put("error_message", event.errorMessage());
            }
        }
        return node;
    }

    /** A page of jobs, each with {@code lost} where that is known. */
    public static ObjectNode page(JobListing page, SidekiqSettings settings) {
        ObjectNode node = NODES.objectNode();
        ArrayNode jobs = node.putArray("jobs");
        page.jobs().forEach(job -> jobs.add(job(job, page.lost(job), settings)));
        node.put("next_cursor", cursor(page.nextCursor()));
        return node;
    }

    /** A durations page with its summaries, as {@code GET /api/v1/durations} answers. */
    public static ObjectNode durations(DurationReport report, String from) {
        ObjectNode node = NODES.objectNode();
        node.put("from", from);
        ArrayNode jobs = node.putArray("jobs");
        for (JobDuration duration : report.page().jobs()) {
            ObjectNode entry = jobs.addObject();
            entry.put("job_id", duration.jobId());
            entry.put("job_class", duration.jobClass());
            entry.put("queue", duration.queue());
            entry.put("duration_ms", millis(duration.duration()));
        }
        node.put("next_cursor", cursor(report.page().nextCursor()));
        node.set("summary", summary(report.summaries().overall()));
        ObjectNode byClass = node.putObject("by_class");
        for (Map.Entry<String, DurationSummary> entry : report.summaries().byClass().entrySet()) {
            byClass.set(entry.getKey(), summary(entry.getValue()));
        }
        return node;
    }

    /** A restart's result, as {@code POST /api/v1/jobs/restart} answers. */
    public static ObjectNode restart(RestartResult result) {
        ObjectNode node = NODES.objectNode();
        node.put("dry_run", result.dryRun());
        ArrayNode restarted = node.putArray("restarted");
        result.restarted().forEach(r -> restarted.addObject().put("job_id", r.jobId()).put("new_job_id", r.newJobId())
                .put("queue", r.queue()));
        ArrayNode skipped = node.putArray("skipped");
        result.skipped().forEach(s -> skipped.addObject().put("job_id", s.jobId()).put("reason", s.reason()));
        node.put("more", result.more());
        if (result.error() != null) {
            node.put("error", result.error());
            node.putNull("field");
        }
        return node;
    }

    /** Sidekiq's live state, as {@code GET /api/v1/sidekiq} answers. */
    public static ObjectNode sidekiq(SidekiqState state) {
        ObjectNode node = NODES.objectNode();
        node.put("processed", state.processed());
        node.put("failed", state.failed());
        node.put("enqueued", state.enqueued());
        node.put("busy", state.busy());
        node.put("retry_size", state.retrySize());
        node.put("scheduled_size", state.scheduledSize());
        node.put("dead_size", state.deadSize());
        ArrayNode queues = node.putArray("queues");
        for (SidekiqState.Queue queue : state.queues()) {
            queues.addObject().put("name", queue.name()).put("size", queue.size())
                    .put("latency_s", plain(BigDecimal.valueOf(queue.latency().toMillis(), 3)));
        }
        ArrayNode processes = node.putArray("processes");
        for (SidekiqState.Process process : state.processes()) {
            ObjectNode entry = processes.addObject();
            entry.put("identity", process.identity());
            entry.put("hostname", process.hostname());
            entry.put("pid", process.pid());
            entry.put("tag", process.tag());
            entry.put("concurrency", process.concurrency());
            entry.put("busy", process.busy());
            ArrayNode processQueues = entry.putArray("queues");
            process.queues().forEach(processQueues::add);
            entry.put("quiet", process.quiet());
            entry.put("started_at", time(process.startedAt()));
            entry.put("last_beat_at", time(process.lastBeat()));
            if (process.rssKb() >= 0) {
                entry.put("rss_kb", process.rssKb());
            } else {
                entry.putNull("rss_kb");
            }
        }
        return node;
    }

    private static ObjectNode summary(DurationSummary summary) {
        ObjectNode node = NODES.objectNode();
        node.put("count", summary.count());
        node.put("mean_ms", round(summary.meanMs()));
        node.put("p50_ms", round(summary.p50Ms()));
        node.put("p95_ms", round(summary.p95Ms()));
        node.put("p99_ms", round(summary.p99Ms()));
        node.put("max_ms", round(summary.maxMs()));
        return node;
    }

    /** ISO-8601 UTC with milliseconds, or null. */
    static String time(Instant instant) {
        return instant == null ? null : MILLIS.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }

    private static String cursor(PageCursor cursor) {
        return cursor == null ? null : cursor.encode();
    }

    /** Milliseconds with the microseconds kept as a fraction. */
    private static BigDecimal millis(Duration duration) {
        return plain(BigDecimal.valueOf(duration.toNanos() / 1000L, 3));
    }

    private static BigDecimal round(double value) {
        return plain(BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP));
    }

    /** Without trailing zeros and never in exponent form (5000, not 5E+3). */
    private static BigDecimal plain(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
