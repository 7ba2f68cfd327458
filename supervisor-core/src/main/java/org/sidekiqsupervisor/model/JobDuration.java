package org.sidekiqsupervisor.model;

import java.time.Duration;

/**
 * How long one completed job took.
 *
 * @param jobId    the job
 * @param jobClass its class, or null
 * @param queue    its queue, or null
 * @param duration queued → complete or last started → complete, per the query
 */
public record JobDuration(String jobId, String jobClass, String queue, Duration duration) {
}
