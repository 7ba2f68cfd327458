package org.sidekiqsupervisor.model;

import java.util.List;

/**
 * One page of per-job durations, newest activity first.
 *
 * @param jobs       the durations on this page
 * @param nextCursor where the next page starts, or null
 */
public record DurationPage(List<JobDuration> jobs, PageCursor nextCursor) {
    /** Copies the list. */
    public DurationPage {
        jobs = List.copyOf(jobs);
    }
}
