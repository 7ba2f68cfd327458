package org.sidekiqsupervisor.model;

import java.util.List;

/**
 * A job with its whole history, oldest event first.
 */
public record JobDetails(Job job, List<JobEventRecord> events) {
    /** Copies the list. */
    public JobDetails {
        events = List.copyOf(events);
    }
}
