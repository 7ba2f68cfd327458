package org.sidekiqsupervisor.model;

import java.time.Instant;

/**
 * One entry of a job's history, as stored: the event's status and time, when the supervisor received
 * it, and for failures the error.
 */
public record JobEventRecord(JobStatus status, Instant at, Instant receivedAt, String errorClass, String errorMessage) {
}
