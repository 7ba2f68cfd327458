package org.sidekiqsupervisor.model;

import java.time.Instant;

import org.sidekiqsupervisor.InvalidInputException;

/**
 * A page of jobs to read, newest activity first.
 *
 * <p>Every criterion is optional (null: any). Build one with {@link #builder()}; instances are immutable.
 *
 * @param status   only jobs whose current status is this
 * @param filter   only jobs whose arguments' JSON text contains this substring, taken literally
 *                 ({@code %}, {@code _}, {@code \} and quotes have no special meaning)
 * @param jobClass only jobs of this class
 * @param queue    only jobs on this queue
 * @param since    only jobs whose latest activity is at or after this
 * @param until    only jobs whose latest activity is before this
 * @param startedBefore only jobs that last started before this
 * @param claimedBefore only jobs a restart claimed before this (and has not finished or released): claims left behind
 * @param lostOnly only the jobs that the looks at Sidekiq found lost (contract 5b): queued or started, whatever
 *                 {@code status} says
 * @param limit    the page size, 1 to {@value #MAX_LIMIT}
 * @param cursor   where the previous page ended ({@link JobPage#nextCursor()}), or null for the first page
 */
public record JobQuery(JobStatus status, String filter, String jobClass, String queue, Instant since, Instant until,
                       Instant startedBefore, Instant claimedBefore, boolean lostOnly, int limit, PageCursor cursor) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 1000;

    public JobQuery {
        filter = filter == null || filter.isEmpty() ? null : filter;
        jobClass = jobClass == null || jobClass.isEmpty() ? null : jobClass;
        queue = queue == null || queue.isEmpty() ? null : queue;
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidInputException("limit", "limit must be between 1 and " + MAX_LIMIT + " (got " + limit + ")");
        }
        if (since != null && until != null && !since.isBefore(until)) {
            throw new InvalidInputException("since", "since must be before until");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This query for the page after {@code page}. */
    public JobQuery after(PageCursor next) {
        return new JobQuery(status, filter, jobClass, queue, since, until, startedBefore, claimedBefore, lostOnly, limit, next);
    }

    /** This query, for the lost jobs only. */
    public JobQuery lost() {
        return new JobQuery(status, filter, jobClass, queue, since, until, startedBefore, claimedBefore, true, limit, cursor);
    }

    /** Builds a {@link JobQuery}; not thread-safe. */
    public static final class Builder {
        private JobStatus status;
        private String filter;
        private String jobClass;
        private String queue;
        private Instant since;
        private Instant until;
        private Instant startedBefore;
        private Instant claimedBefore;
        private boolean lostOnly;
        private int limit = DEFAULT_LIMIT;
        private PageCursor cursor;

        private Builder() {
        }

        public Builder status(JobStatus value) {
            status = value;
            return this;
        }

        public Builder filter(String value) {
            filter = value;
            return this;
        }

        public Builder jobClass(String value) {
            jobClass = value;
            return this;
        }

        public Builder queue(String value) {
            queue = value;
            return this;
        }

        public Builder since(Instant value) {
            since = value;
            return this;
        }

        public Builder until(Instant value) {
            until = value;
            return this;
        }

        public Builder startedBefore(Instant value) {
            startedBefore = value;
            return this;
        }

        /** Only jobs a restart claimed before this and left claimed. */
        public Builder claimedBefore(Instant value) {
            claimedBefore = value;
            return this;
        }

        /** Only the jobs the looks at Sidekiq found lost. */
        public Builder lostOnly(boolean value) {
            lostOnly = value;
            return this;
        }

        /** The page size; default {@value JobQuery#DEFAULT_LIMIT}. */
        public Builder limit(int value) {
            limit = value;
            return this;
        }

        public Builder cursor(PageCursor value) {
            cursor = value;
            return this;
        }

        public JobQuery build() {
            return new JobQuery(status, filter, jobClass, queue, since, until, startedBefore, claimedBefore, lostOnly, limit,
                    cursor);
        }
    }
}
