package org.sidekiqsupervisor.model;

import java.time.Duration;
import java.time.Instant;

/**
 * What one complete look at Sidekiq found (contract 5b).
 *
 * @param startedAt     when it began
 * @param finishedAt    when it had read every place Sidekiq holds jobs
 * @param entriesRead   how many entries of queues, sets and lists (and running work) it read
 * @param held          how many different jobs it found in Sidekiq
 * @param missing       how many queued or started jobs of the store it found nowhere
 * @param newlyLost     how many of those it made lost (0 when another supervisor's look did so first)
 * @param claimsSettled how many restart claims left behind it settled
 */
public record LookSummary(Instant startedAt, Instant finishedAt, long entriesRead, int held, int missing, int newlyLost,
                          int claimsSettled) {
    /** How long the look took. */
    public Duration took() {
        return Duration.between(startedAt, finishedAt);
    }
}
