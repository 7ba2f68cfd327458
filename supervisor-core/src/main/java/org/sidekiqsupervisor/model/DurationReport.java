package org.sidekiqsupervisor.model;

/**
 * Durations to completion: a page of per-job figures, and statistics over every matching job.
 */
public record DurationReport(DurationPage page, DurationSummaries summaries) {
}
