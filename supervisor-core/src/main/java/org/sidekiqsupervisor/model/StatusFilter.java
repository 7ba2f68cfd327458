package org.sidekiqsupervisor.model;

import java.util.Arrays;
import java.util.Locale;

import org.sidekiqsupervisor.InvalidInputException;

/**
 * Which jobs a listing shows by status, as the API's {@code status} parameter, the dashboard's tabs and the console's
 * {@code --status} name them: every status, one stored status, or {@code lost} (started jobs that Sidekiq holds
 * nowhere, which only Sidekiq's Redis can tell).
 */
public enum StatusFilter {
    /** Every job. */
    ALL(null),
    /** Jobs whose latest status is queued. */
    QUEUED(JobStatus.QUEUED),
    /** Jobs whose latest status is started: running, or lost. */
    STARTED(JobStatus.STARTED),
    /** Started jobs that Sidekiq lost. */
    LOST(null),
    /** Jobs whose latest status is complete. */
    COMPLETE(JobStatus.COMPLETE),
    /** Jobs whose latest status is failed. */
    FAILED(JobStatus.FAILED);

    private static final String NAMES = "queued, started, lost, complete, failed, all";

    private final JobStatus status;

    StatusFilter(JobStatus status) {
        this.status = status;
    }

    /** The stored status to query for, or null for {@link #ALL} and {@link #LOST}. */
    public JobStatus status() {
        return status;
    }

    /** Whether only lost jobs are wanted. */
    public boolean lostOnly() {
        return this == LOST;
    }

    /** The name in URLs and on the command line: {@code queued}, ..., {@code all}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a filter by its name; null or empty is {@link #ALL}.
     *
     * @param field the name of the input it came from, for the error
     * @throws InvalidInputException naming every accepted value
     */
    public static StatusFilter parse(String text, String field) {
        if (text == null || text.isEmpty()) {
            return ALL;
        }
        return Arrays.stream(values()).filter(filter -> filter.wireName().equals(text)).findFirst()
                .orElseThrow(() -> new InvalidInputException(field, field + " must be one of " + NAMES + " (got "
                        + InvalidInputException.quote(text) + ")"));
    }
}
