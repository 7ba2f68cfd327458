package org.sidekiqsupervisor.model;

/**
 * Statistics over a set of job durations, in milliseconds (fractions kept; percentiles interpolated).
 * With {@code count == 0} every figure is 0.
 */
public record DurationSummary(long count, double meanMs, double p50Ms, double p95Ms, double p99Ms, double maxMs) {
    /** The summary of no durations. */
    public static final DurationSummary EMPTY = new DurationSummary(0, 0, 0, 0, 0, 0);
}
