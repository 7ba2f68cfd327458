package org.sidekiqsupervisor.model;

import java.time.Instant;

/**
 * How many events of one status the supervisor received in one time bucket.
 *
 * @param bucketStart where the bucket starts (a multiple of the bucket length since the epoch)
 * @param status      the events' status
 * @param count       how many
 */
public record EventCount(Instant bucketStart, JobStatus status, long count) {
}
