package org.sidekiqsupervisor.model;

import java.time.Instant;

import org.sidekiqsupervisor.InvalidInputException;

/**
 * How far a running job says it got, as sidekiq-status reports it: {@code at} units done of {@code total}, and a
 * message. Only the latest value of each is kept (a report may carry only some); it is not part of the job's event history.
 *
 * @param at        units done (0 or more), or null
 * @param total     units in all (0 or more), or null
 * @param message   what the job is doing (at most {@value #MAX_MESSAGE} characters), or null
 * @param updatedAt when the supervisor received this report
 */
public record JobProgress(Long at, Long total, String message, Instant updatedAt) {
    public static final int MAX_MESSAGE = 1000;

    public JobProgress {
        if (at != null && at < 0) {
            throw new InvalidInputException("at", "at must be 0 or more (got " + at + ")");
        }
        if (total != null && total < 0) {
            throw new InvalidInputException("total", "total must be 0 or more (got " + total + ")");
        }
        if (message != null && message.length() > MAX_MESSAGE) {
            throw new InvalidInputException("message", "message must be at most " + MAX_MESSAGE + " characters");
        }
        if (at == null && total == null && message == null) {
            throw new InvalidInputException("at", "progress needs at least one of at, total, message");
        }
        java.util.Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** The share done, 0 to 100, or null when it cannot be known. */
    public Double percent() {
        if (at == null || total == null || total == 0) {
            return null;
        }
        return Math.min(100.0, 100.0 * at / total);
    }
}
