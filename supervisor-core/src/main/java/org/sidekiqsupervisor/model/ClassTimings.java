package org.sidekiqsupervisor.model;

/**
 * How long one job class waits and runs.
 *
 * @param jobClass the class (the empty string for jobs that never said theirs)
 * @param waiting  queued → (last) started, over its jobs that have both times, whatever their status
 * @param running  (last) started → complete, over its completed jobs
 */
public record ClassTimings(String jobClass, DurationSummary waiting, DurationSummary running) {
}
