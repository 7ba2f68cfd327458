package org.sidekiqsupervisor.model;

import java.util.Locale;

import org.sidekiqsupervisor.InvalidInputException;

/** Where a duration to completion is measured from. */
public enum DurationFrom {
    /** queued → complete: the whole time a job took, waiting included. */
    QUEUED,
    /** last started → complete: the time the job ran. */
    STARTED;

    /** The name the API uses: {@code queued} or {@code started}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code queued} or {@code started}; null or empty means {@code queued}. */
    public static DurationFrom fromWireName(String text) {
        if (text == null || text.isEmpty()) {
            return QUEUED;
        }
        for (DurationFrom from : values()) {
            if (from.wireName().equals(text)) {
                return from;
            }
        }
        throw new InvalidInputException("from", "from must be queued or started (got " + InvalidInputException.quote(text) + ")");
    }
}
