package org.sidekiqsupervisor.alerts;

import java.time.Duration;
import java.time.Instant;

import org.sidekiqsupervisor.model.Job;

/**
 * Something worth telling a person about one job.
 *
 * @param kind       what happened
 * @param job        the job as the supervisor knows it
 * @param runTime    for {@link Kind#JOB_SLOW}, how long it ran; else null
 * @param threshold  for {@link Kind#JOB_SLOW}, the threshold it went over; else null
 * @param at         when the supervisor noticed
 * @param suppressed how many alerts of the same kind and class were held back (rate limit) since the last one sent
 */
public record Alert(Kind kind, Job job, Duration runTime, Duration threshold, Instant at, long suppressed) {
    /** The kinds of alert. */
    public enum Kind {
        /** A job reported a failure. */
        JOB_FAILED,
        /** A started job that Sidekiq has no trace of: its process died under it. */
        JOB_LOST,
        /** A job ran longer than its class's threshold. */
        JOB_SLOW;

        /** The name in a webhook's {@code event} field, e.g. {@code job_failed}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    Alert withSuppressed(long count) {
        return new Alert(kind, job, runTime, threshold, at, count);
    }
}
