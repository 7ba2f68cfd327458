package org.sidekiqsupervisor.model;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.regex.Pattern;

import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.internal.Json;

/**
 * One report about a job: it was queued, started, completed or failed, at a time.
 *
 * <p>Construction validates every field against the contract's limits, so an event that exists is
 * valid. {@code arguments} is the job's args as a JSON text, kept exactly as sent (never re-encoded,
 * so integers beyond 2^53 and any Unicode survive). {@code at} is when it happened on the client; it
 * may be null, in which case the {@link org.sidekiqsupervisor.manager.JobManager} stamps the time it
 * received the event. Times are kept to the microsecond. {@code payload} is the job's whole Sidekiq hash (what the
 * server middleware's {@code job} holds) as a JSON object text, kept exactly as sent like {@code arguments}; a restart
 * pushes it again (see {@link org.sidekiqsupervisor.sidekiq.SidekiqPayloads#restartPayload}).
 *
 * @param jobId         Sidekiq's jid: 1–64 of {@code [A-Za-z0-9_-]}
 * @param status        what happened
 * @param at            when it happened, or null for "now"
 * @param jobClass      the worker class, at most 255 characters, or null
 * @param queue         the queue, at most 255 characters, or null
 * @param arguments     the args as a JSON text, or null
 * @param errorClass    for {@code failed}: the exception's class, at most 255 characters, or null
 * @param errorMessage  for {@code failed}: the exception's message, at most 10,000 characters, or null
 * @param restartedFrom the jid this job replaces, when the supervisor restarted it, or null
 * @param payload       the job's Sidekiq hash as a JSON object text, at most 1,000,000 characters, or null
 */
public record JobEvent(String jobId, JobStatus status, Instant at, String jobClass, String queue,
                       String arguments, String errorClass, String errorMessage, String restartedFrom, String payload) {

    /** Longest job id. */
    public static final int MAX_JOB_ID_LENGTH = 64;
    /** Longest job class, queue and error class. */
    public static final int MAX_NAME_LENGTH = 255;
    /** Longest error message, in characters. */
    public static final int MAX_ERROR_MESSAGE_LENGTH = 10_000;
    /** Longest arguments JSON text, in characters. */
    public static final int MAX_ARGUMENTS_LENGTH = 1_000_000;
    /** Longest payload JSON text, in characters: the default body limit's worth, and what the store's column holds. */
    public static final int MAX_PAYLOAD_LENGTH = 1_000_000;
    /** Events before this are surely a unit mistake (milliseconds read as seconds, or zero). */
    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_JOB_ID_LENGTH + "}");

    /** Validates every field against the contract's limits; throws {@link org.sidekiqsupervisor.InvalidInputException} naming the field. */
    public JobEvent {
        Objects.requireNonNull(status, "status");
        jobId = requireJobId(jobId, "job_id");
        if (at != null) {
            if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
                throw new InvalidInputException("at", "at must be a time between 2000 and 2200 (got " + at + ")");
            }
            at = at.truncatedTo(ChronoUnit.MICROS);
        }
        jobClass = limited(emptyToNull(jobClass), MAX_NAME_LENGTH, "job_class");
        queue = limited(emptyToNull(queue), MAX_NAME_LENGTH, "queue");
        arguments = emptyToNull(arguments);
        if (arguments != null) {
            limited(arguments, MAX_ARGUMENTS_LENGTH, "arguments");
            Json.requireValidText(arguments, "arguments");
        }
        errorClass = limited(emptyToNull(errorClass), MAX_NAME_LENGTH, "error_class");
        errorMessage = limited(emptyToNull(errorMessage), MAX_ERROR_MESSAGE_LENGTH, "error_message");
        restartedFrom = restartedFrom == null ? null : requireJobId(restartedFrom, "restarted_from");
        payload = emptyToNull(payload);
        if (payload != null) {
            limited(payload, MAX_PAYLOAD_LENGTH, "payload");
            Json.requireObjectText(payload, "payload");
        }
    }

    /** An event without a payload, as events were before payloads existed. */
    public JobEvent(String jobId, JobStatus status, Instant at, String jobClass, String queue,
                    String arguments, String errorClass, String errorMessage, String restartedFrom) {
        this(jobId, status, at, jobClass, queue, arguments, errorClass, errorMessage, restartedFrom, null);
    }

    /** An event with just a job id and a status, happening at {@code at} (null: when received). */
    public static JobEvent of(String jobId, JobStatus status, Instant at) {
        return new JobEvent(jobId, status, at, null, null, null, null, null, null, null);
    }

    /** This event with its time set, as the manager stamps events that came without one. */
    public JobEvent at(Instant time) {
        return new JobEvent(jobId, status, time, jobClass, queue, arguments, errorClass, errorMessage, restartedFrom, payload);
    }

    /**
     * Checks a job id against the contract: 1–64 of {@code [A-Za-z0-9_-]}.
     *
     * @return the id
     * @throws InvalidInputException naming {@code field}
     */
    public static String requireJobId(String jobId, String field) {
        if (jobId == null || jobId.isEmpty()) {
            throw new InvalidInputException(field, field + " is required");
        }
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new InvalidInputException(field,
                    field + " must be 1 to 64 of the characters A-Z a-z 0-9 _ - (got " + InvalidInputException.quote(jobId) + ")");
        }
        return jobId;
    }

    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    private static String limited(String text, int max, String field) {
        if (text != null && text.length() > max) {
            throw new InvalidInputException(field, field + " is longer than " + max + " characters");
        }
        return text;
    }
}
