package org.sidekiqsupervisor.model;

import java.util.List;

/**
 * One page of jobs, newest activity first.
 *
 * @param jobs       the jobs on this page
 * @param nextCursor where the next page starts, or null when this is the last page
 */
public record JobPage(List<Job> jobs, PageCursor nextCursor) {
    public JobPage {
        jobs = List.copyOf(jobs);
    }
}
