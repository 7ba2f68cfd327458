package org.sidekiqsupervisor.sidekiq;

import java.util.List;

/**
 * A page of Sidekiq's jobs from a queue or a sorted set.
 *
 * @param jobs       the jobs, in the order Sidekiq's Web UI lists them
 * @param nextCursor where the next page starts, or null at the end
 * @param size       how many entries the queue or set holds now
 */
public record SidekiqPage(List<SidekiqJob> jobs, String nextCursor, long size) {
    public SidekiqPage {
        jobs = List.copyOf(jobs);
    }
}
