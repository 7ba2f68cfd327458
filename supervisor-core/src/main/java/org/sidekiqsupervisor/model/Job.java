package org.sidekiqsupervisor.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A job's current state: what its events say about it, folded by the lifecycle rules of the contract.
 *
 * <p>Immutable. {@link #first(JobEvent, Instant)} and {@link #apply(JobEvent, Instant)} are the lifecycle
 * rules in one place; every store calls them, so the rules cannot drift between backends:
 * <ul>
 *   <li>the status is that of the most recent event by event time, ties broken by lifecycle order
 *       (queued &lt; started &lt; failed &lt; complete);</li>
 *   <li>a {@code queued} never replaces a later status: a jid is enqueued once, so a late {@code queued}
 *       only joins the history;</li>
 *   <li>every {@code started} counts an attempt (Sidekiq's retries and SIGTERM requeues both start the
 *       same jid again);</li>
 *   <li>events fill in job class, queue, arguments and lineage that the job lacked, and never overwrite
 *       them;</li>
 *   <li>the payload is that of the most recent event that carried one, by event time: a late, older event does
 *       not replace a newer payload.</li>
 * </ul>
 * Exact duplicates (same status, same time) are recognised by the store, which does not apply them.
 *
 * @param jobId         Sidekiq's jid
 * @param jobClass      the worker class, or null if no event named it
 * @param queue         the queue, or null
 * @param arguments     the args as the JSON text first sent, or null
 * @param status        the current status
 * @param statusAt      the time of the event that set the status
 * @param queuedAt      when the job was queued, or null
 * @param startedAt     when the job last started, or null
 * @param completedAt   when the job last completed, or null
 * @param failedAt      when the job last failed, or null
 * @param attempts      how many times it started
 * @param errorClass    the class of the last failure's error, or null
 * @param errorMessage  the message of the last failure's error, or null
 * @param restartedFrom the jid this job replaced, or null
 * @param activityAt    the time of its most recent event: the order of "newest activity first"
 * @param createdAt     when the supervisor first heard of the job
 * @param restarts      how many times its lineage was restarted: 0 for an original, n for the n-th replacement
 * @param restartingTo  while a restart of this job is under way, the jid of its replacement; else null
 * @param progress      the latest progress it reported, or null
 * @param payload       the job's Sidekiq hash (a JSON object text) from the most recent event that carried one, or null
 * @param payloadAt     the time of the event that carried {@code payload}, or null when there is none
 * @param missingSince  while it is queued or started: when the looks at Sidekiq began to find it held nowhere (the
 *                      start of the first such look since its last event), or null
 * @param lostAt        when the looks at Sidekiq found it lost (contract 5b), or null; any event of the job clears it
 */
public record Job(String jobId, String jobClass, String queue, String arguments, JobStatus status, Instant statusAt,
                  Instant queuedAt, Instant startedAt, Instant completedAt, Instant failedAt, int attempts,
                  String errorClass, String errorMessage, String restartedFrom, Instant activityAt, Instant createdAt,
                  int restarts, String restartingTo, JobProgress progress, String payload, Instant payloadAt,
                  Instant missingSince, Instant lostAt) {

    /** Checks the fields every job has. */
    public Job {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(statusAt, "statusAt");
        Objects.requireNonNull(activityAt, "activityAt");
        Objects.requireNonNull(createdAt, "createdAt");
        if ((payload == null) != (payloadAt == null)) {
            throw new IllegalArgumentException("a payload and its time come together (job " + jobId + ")");
        }
    }

    /** A job without a payload, as jobs were before payloads existed. */
    public Job(String jobId, String jobClass, String queue, String arguments, JobStatus status, Instant statusAt,
               Instant queuedAt, Instant startedAt, Instant completedAt, Instant failedAt, int attempts,
               String errorClass, String errorMessage, String restartedFrom, Instant activityAt, Instant createdAt,
               int restarts, String restartingTo, JobProgress progress) {
        this(jobId, jobClass, queue, arguments, status, statusAt, queuedAt, startedAt, completedAt, failedAt, attempts,
                errorClass, errorMessage, restartedFrom, activityAt, createdAt, restarts, restartingTo, progress, null, null,
                null, null);
    }

    /** The job as its first event makes it. {@code event.at()} must be set. */
    public static Job first(JobEvent event, Instant receivedAt) {
        Instant at = requireTime(event);
        Job empty = new Job(event.jobId(), null, null, null, event.status(), at, null, null, null, null, 0,
                null, null, null, at, receivedAt, 0, null, null, null, null, null, null);
        return empty.fold(event, at, true);
    }

    /** The job after one more (non-duplicate) event. {@code event.at()} must be set. */
    public Job apply(JobEvent event, Instant receivedAt) {
        if (!event.jobId().equals(jobId)) {
            throw new IllegalArgumentException("event for " + event.jobId() + " applied to job " + jobId);
        }
        Instant at = requireTime(event);
        return fold(event, at, winsOver(event.status(), at));
    }

    private Job fold(JobEvent event, Instant at, boolean takesStatus) {
        JobStatus newStatus = takesStatus ? event.status() : status;
        Instant newStatusAt = takesStatus ? at : statusAt;
        Instant newQueuedAt = queuedAt;
        Instant newStartedAt = startedAt;
        Instant newCompletedAt = completedAt;
        Instant newFailedAt = failedAt;
        int newAttempts = attempts;
        String newErrorClass = errorClass;
        String newErrorMessage = errorMessage;
        boolean takesPayload = event.payload() != null && (payloadAt == null || !at.isBefore(payloadAt));
        switch (event.status()) {
            case QUEUED -> newQueuedAt = earliest(queuedAt, at);
            case STARTED -> {
                newStartedAt = latest(startedAt, at);
                newAttempts++;
            }
            case COMPLETE -> newCompletedAt = latest(completedAt, at);
            case FAILED -> {
                if (failedAt == null || !at.isBefore(failedAt)) {
                    newFailedAt = at;
                    newErrorClass = event.errorClass();
                    newErrorMessage = event.errorMessage();
                }
            }
        }
        return new Job(jobId,
                jobClass != null ? jobClass : event.jobClass(),
                queue != null ? queue : event.queue(),
                arguments != null ? arguments : event.arguments(),
                newStatus, newStatusAt, newQueuedAt, newStartedAt, newCompletedAt, newFailedAt, newAttempts,
                newErrorClass, newErrorMessage,
                restartedFrom != null ? restartedFrom : event.restartedFrom(),
                latest(activityAt, at), createdAt, restarts, restartingTo, progress,
                takesPayload ? event.payload() : payload, takesPayload ? at : payloadAt,
                // News of the job: whatever the looks found before, they start over.
                null, null);
    }

    /** This job with its lineage's restart count set. */
    public Job withRestarts(int count) {
        return new Job(jobId, jobClass, queue, arguments, status, statusAt, queuedAt, startedAt, completedAt, failedAt,
                attempts, errorClass, errorMessage, restartedFrom, activityAt, createdAt, count, restartingTo, progress, payload,
                payloadAt, missingSince, lostAt);
    }

    /** Whether the looks at Sidekiq found this job lost, and it is still queued or started (contract 5b). */
    public boolean lost() {
        return lostAt != null && (status == JobStatus.QUEUED || status == JobStatus.STARTED);
    }

    /** Whether an event of this status at this time becomes the job's status. */
    private boolean winsOver(JobStatus eventStatus, Instant at) {
        if (eventStatus == JobStatus.QUEUED && status != JobStatus.QUEUED) {
            return false;
        }
        int byTime = at.compareTo(statusAt);
        return byTime > 0 || (byTime == 0 && eventStatus.compareTo(status) >= 0);
    }

    private static Instant requireTime(JobEvent event) {
        return Objects.requireNonNull(event.at(), "event time must be stamped before it is applied");
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }
}
