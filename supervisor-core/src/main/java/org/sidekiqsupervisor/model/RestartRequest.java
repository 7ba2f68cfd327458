package org.sidekiqsupervisor.model;

import java.time.Duration;

import org.sidekiqsupervisor.InvalidInputException;

/**
 * Which uncompleted jobs to put back on Sidekiq's queues.
 *
 * @param filter    substring of the arguments, taken literally, or null for any
 * @param scope     {@link Scope#LOST} (default): only jobs Sidekiq has no trace of; {@link Scope#UNCOMPLETED}:
 *                  every started job, as the original supervisor did
 * @param olderThan only jobs that were lost (scope lost: whose latest event is) or started (scope uncompleted) longer ago than this, or null
 * @param dryRun    report what would be done, and do nothing
 * @param limit     restart at most this many jobs in this call (1 to {@value #MAX_LIMIT}); call again for more
 * @param jobClass  only jobs of this class, or null for any
 * @param queue     only jobs on this queue, or null for any
 * @param jobId     only this job, or null for any
 * @param force     restart jobs whose class's policy is {@code hold} or {@code never} too (contract 5a); a
 *                  quarantined job stays quarantined
 */
public record RestartRequest(String filter, Scope scope, Duration olderThan, boolean dryRun, int limit, String jobClass,
                             String queue, String jobId, boolean force) {
    public static final int DEFAULT_LIMIT = 1000;
    public static final int MAX_LIMIT = 10_000;

    /** Which started jobs a restart considers. */
    public enum Scope {
        /** Started jobs that no live Sidekiq process runs and that wait in no queue, retry or schedule. */
        LOST,
        /** Every started job, whatever Sidekiq says: what the original supervisor did. */
        UNCOMPLETED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Scope fromWireName(String text) {
            if (text == null || text.isEmpty()) {
                return LOST;
            }
            for (Scope scope : values()) {
                if (scope.wireName().equals(text)) {
                    return scope;
                }
            }
            throw new InvalidInputException("scope", "scope must be lost or uncompleted (got " + InvalidInputException.quote(text) + ")");
        }
    }

    public RestartRequest {
        filter = filter == null || filter.isEmpty() ? null : filter;
        scope = scope == null ? Scope.LOST : scope;
        if (olderThan != null && olderThan.isNegative()) {
            throw new InvalidInputException("older_than", "older_than must not be negative");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidInputException("limit", "limit must be between 1 and " + MAX_LIMIT + " (got " + limit + ")");
        }
        jobClass = jobClass == null || jobClass.isEmpty() ? null : jobClass;
        queue = queue == null || queue.isEmpty() ? null : queue;
        jobId = jobId == null || jobId.isEmpty() ? null : JobEvent.requireJobId(jobId, "job_id");
    }

    /** Any class, queue and job, without force. */
    public RestartRequest(String filter, Scope scope, Duration olderThan, boolean dryRun, int limit) {
        this(filter, scope, olderThan, dryRun, limit, null, null, null, false);
    }

    /** Without force. */
    public RestartRequest(String filter, Scope scope, Duration olderThan, boolean dryRun, int limit, String jobClass,
                          String queue, String jobId) {
        this(filter, scope, olderThan, dryRun, limit, jobClass, queue, jobId, false);
    }

    /** This request for one job only. */
    public RestartRequest onlyJob(String id) {
        return new RestartRequest(filter, scope, olderThan, dryRun, limit, jobClass, queue, id, force);
    }

    /** The original supervisor's {@code restart_uncompleted_jobs(filter)}, made safe: lost jobs only. */
    public static RestartRequest lost(String filter) {
        return new RestartRequest(filter, Scope.LOST, null, false, DEFAULT_LIMIT);
    }
}
