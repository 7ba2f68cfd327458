package org.sidekiqsupervisor.jaxrs.dashboard;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.sidekiq.SidekiqUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs a page shows and which of them are lost: the one place the dashboard decides that.
 *
 * @param page the jobs, and where the next page starts
 * @param lost the ids of those that are lost
 */
record ShownJobs(JobPage page, Set<String> lost) {
    private static final Logger LOG = LoggerFactory.getLogger(ShownJobs.class);

    /**
     * One page of {@code query}. With {@code lostOnly}, the lost jobs, which needs Sidekiq's Redis to answer;
     * otherwise the stored jobs, with the lost ones among them flagged when {@code flagLost} (see {@link #lostAmong}).
     */
    static ShownJobs find(JobManager manager, JobQuery query, boolean lostOnly, boolean flagLost) {
        if (lostOnly) {
            JobPage page = manager.lostJobs(query);
            return new ShownJobs(page, page.jobs().stream().map(Job::jobId).collect(Collectors.toSet()));
        }
        JobPage page = manager.query(query);
        return new ShownJobs(page, flagLost ? lostAmong(manager, page.jobs()) : Set.of());
    }

    /**
     * The ids of the lost jobs among {@code jobs}; none when Sidekiq's Redis is not configured, and none when it does
     * not answer, since the jobs themselves are still worth showing.
     */
    static Set<String> lostAmong(JobManager manager, List<Job> jobs) {
        if (!manager.sidekiqConfigured()) {
            return Set.of();
        }
        try {
            return manager.lostAmong(jobs);
        } catch (SidekiqUnavailableException e) {
            LOG.warn("showing jobs without their lost flag: {}", e.getMessage());
            return Set.of();
        }
    }
}
