package org.sidekiqsupervisor.model;

import java.util.Locale;

import org.sidekiqsupervisor.InvalidInputException;

/**
 * A job's lifecycle status, as the middlewares report it.
 *
 * <p>The declaration order is the lifecycle order used to break ties between events with the same
 * time: queued &lt; started &lt; failed &lt; complete.
 */
public enum JobStatus {
    QUEUED,
    STARTED,
    FAILED,
    COMPLETE;

    /** The status as it appears on the wire and in the store: {@code "queued"}, {@code "started"}, ... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name.
     *
     * @throws InvalidInputException naming {@code field} when the text is not a status
     */
    public static JobStatus fromWireName(String text, String field) {
        if (text != null) {
            for (JobStatus status : values()) {
                if (status.wireName().equals(text)) {
                    return status;
                }
            }
        }
        throw new InvalidInputException(field,
                field + " must be one of queued, started, complete, failed (got " + InvalidInputException.quote(text) + ")");
    }
}
