package org.sidekiqsupervisor.model;

import java.util.Objects;

import org.sidekiqsupervisor.InvalidInputException;

/**
 * Which completed jobs' durations to read.
 *
 * @param from     where durations are measured from
 * @param filter   substring of the arguments, taken literally, or null
 * @param jobClass only this class, or null
 * @param queue    only this queue, or null
 * @param limit    how many per-job durations to list, newest activity first (0 to {@value JobQuery#MAX_LIMIT});
 *                 the summaries always cover every matching job
 * @param cursor   where the previous list ended, or null
 */
public record DurationQuery(DurationFrom from, String filter, String jobClass, String queue, int limit, PageCursor cursor) {
    /** Validates the limit; empty texts mean no criterion. */
    public DurationQuery {
        Objects.requireNonNull(from, "from");
        filter = filter == null || filter.isEmpty() ? null : filter;
        jobClass = jobClass == null || jobClass.isEmpty() ? null : jobClass;
        queue = queue == null || queue.isEmpty() ? null : queue;
        if (limit < 0 || limit > JobQuery.MAX_LIMIT) {
            throw new InvalidInputException("limit", "limit must be between 0 and " + JobQuery.MAX_LIMIT + " (got " + limit + ")");
        }
    }

    /** This query for the page after {@code next}. */
    public DurationQuery after(PageCursor next) {
        return new DurationQuery(from, filter, jobClass, queue, limit, next);
    }

    /** The first page ({@value JobQuery#DEFAULT_LIMIT} durations) from {@code from}, with an optional arguments filter. */
    public static DurationQuery of(DurationFrom from, String filter) {
        return new DurationQuery(from, filter, null, null, JobQuery.DEFAULT_LIMIT, null);
    }
}
