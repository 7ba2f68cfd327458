package org.sidekiqsupervisor.model;

import java.util.Map;

/**
 * Duration statistics over every matching completed job.
 *
 * @param overall over all of them
 * @param byClass the same per job class (jobs without a class under the empty string), most jobs first
 */
public record DurationSummaries(DurationSummary overall, Map<String, DurationSummary> byClass) {
}
