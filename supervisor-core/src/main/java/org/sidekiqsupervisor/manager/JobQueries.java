package org.sidekiqsupervisor.manager;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationReport;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobListing;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.sidekiq.SidekiqNotConfiguredException;
import org.sidekiqsupervisor.sidekiq.SidekiqUnavailableException;
import org.sidekiqsupervisor.store.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers what happened to jobs, a page at a time, for screens and APIs over big stores: job listings, one job with its
 * history, durations, counts and recent activity. The one place that decides which jobs are lost, so that the HTTP API,
 * the dashboard and the console agree. Thread-safe; obtain it from {@link JobManager#queries()}.
 */
public final class JobQueries {
    /**
     * How many of the newest started jobs the lost count (dashboard, metrics) and the lost-job alerts check against
     * Sidekiq: a bound, so that a store with very many started jobs is not walked whole every time.
     */
    public static final int NEWEST_STARTED_SCAN = 2000;

    private static final Logger LOG = LoggerFactory.getLogger(JobQueries.class);

    private final JobStore store;
    private final LostJobs lostJobs;

    /** @param lostJobs null when no Sidekiq Redis is configured */
    JobQueries(JobStore store, LostJobs lostJobs) {
        this.store = store;
        this.lostJobs = lostJobs;
    }

    /**
     * One page of jobs matching the query, newest activity first, each marked lost or not where that can be known.
     *
     * @param lostOnly only the lost jobs among those matching (the query's status is then ignored); needs Redis
     * @throws SidekiqNotConfiguredException  when {@code lostOnly} and no Redis is configured
     * @throws SidekiqUnavailableException when {@code lostOnly} and Redis does not answer (without {@code lostOnly}
     *                                     the page is still answered, without its lost marks)
     */
    public JobListing list(JobQuery query, boolean lostOnly) {
        if (lostOnly) {
            JobPage page = requireLostJobs("finding lost jobs").page(query);
            return new JobListing(page.jobs(), page.nextCursor(), page.jobs().stream().map(Job::jobId).collect(Collectors.toSet()));
        }
        JobPage page = store.query(query);
        return new JobListing(page.jobs(), page.nextCursor(), lostAmongOrUnknown(page.jobs()));
    }

    /** The job with its history, oldest event first, or empty if the supervisor never heard of it. */
    public Optional<JobDetails> job(String jobId) {
        return store.details(JobEvent.requireJobId(jobId, "job_id"));
    }

    /**
     * Whether Sidekiq lost this job now; null when that cannot be known (no Redis configured, or it does not answer: a
     * job is still worth showing without the mark).
     */
    public Boolean lost(Job job) {
        Set<String> lost = lostAmongOrUnknown(List.of(job));
        return lost == null ? null : lost.contains(job.jobId());
    }

    /**
     * How many of the newest {@value #NEWEST_STARTED_SCAN} started jobs are lost now.
     *
     * @throws SidekiqNotConfiguredException when no Redis is configured
     */
    public long countLost() {
        LostJobs lost = requireLostJobs("counting lost jobs");
        return forNewestStarted(page -> lost.lostAmong(page).size());
    }

    /**
     * Per-job durations (a page) and summaries (count, mean, p50, p95, p99, max) overall and per class. Without a filter
     * or queue the summaries come from duration buckets the store keeps (percentiles within 1.6 %), whatever the number
     * of jobs; with either they are computed from the matching jobs.
     */
    public DurationReport durations(DurationQuery query) {
        return new DurationReport(store.durationPage(query), store.durationSummaries(query));
    }

    /** How many jobs are in each status now (every status is a key). */
    public Map<JobStatus, Long> countByStatus() {
        return store.countByStatus();
    }

    /**
     * Since {@code since}: the events received, counted per status in buckets of {@code bucket} (at least a second),
     * oldest first, empty buckets left out; and per job class, wait (queued → started) and run (started → complete)
     * times over the jobs active since then, most jobs first, at most {@code maxClasses} classes.
     */
    public Activity activity(Instant since, Duration bucket, int maxClasses) {
        if (bucket.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidInputException("bucket", "bucket must be at least one second");
        }
        return store.activity(since, bucket, maxClasses);
    }

    /** Of these jobs, the ids of the lost ones; null when that cannot be known (no Redis, or it does not answer). */
    private Set<String> lostAmongOrUnknown(List<Job> jobs) {
        if (lostJobs == null) {
            return null;
        }
        try {
            return lostJobs.lostAmong(jobs);
        } catch (SidekiqUnavailableException e) {
            LOG.warn("showing jobs without their lost mark: {}", e.getMessage());
            return null;
        }
    }

    /** Runs {@code each} over the newest {@value #NEWEST_STARTED_SCAN} started jobs, a page at a time, and sums what it returns. */
    long forNewestStarted(Function<List<Job>, Integer> each) {
        long sum = 0;
        int seen = 0;
        JobQuery query = JobQuery.builder().status(JobStatus.STARTED).limit(500).build();
        while (seen < NEWEST_STARTED_SCAN) {
            JobPage page = store.query(query);
            sum += each.apply(page.jobs());
            seen += page.jobs().size();
            if (page.nextCursor() == null) {
                break;
            }
            query = query.after(page.nextCursor());
        }
        return sum;
    }

    /** The lost-job finder, or a {@link SidekiqNotConfiguredException} naming {@code what} needed it. */
    LostJobs requireLostJobs(String what) {
        if (lostJobs == null) {
            throw new SidekiqNotConfiguredException(what);
        }
        return lostJobs;
    }
}
