package org.sidekiqsupervisor.model;

import java.util.List;
import java.util.Set;

/**
 * A page of jobs, newest activity first, with which of them Sidekiq lost.
 *
 * @param jobs       the jobs on this page
 * @param nextCursor where the next page starts, or null on the last page
 * @param lostIds    the ids of the lost jobs on this page, or null when that cannot be known (no Sidekiq Redis is
 *                   configured, or it did not answer)
 */
public record JobListing(List<Job> jobs, PageCursor nextCursor, Set<String> lostIds) {
    /** Copies the collections. */
    public JobListing {
        jobs = List.copyOf(jobs);
        lostIds = lostIds == null ? null : Set.copyOf(lostIds);
    }

    /** Whether this job of the page is lost; null when that cannot be known. */
    public Boolean lost(Job job) {
        return lostIds == null ? null : lostIds.contains(job.jobId());
    }
}
