package org.sidekiqsupervisor.manager;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
import org.sidekiqsupervisor.store.JobStore;

/**
 * Answers what happened to jobs, a page at a time, for screens and APIs over big stores: job listings, one job with its
 * history, durations, counts and recent activity. The one place that decides which jobs are lost, so that the HTTP API,
 * the dashboard and the console agree. Thread-safe; obtain it from {@link JobManager#queries()}.
 */
public final class JobQueries {
    /**
     * The most lost jobs {@link #countLost()} counts (one page of the store): past it, it answers this bound ("this many
     * or more"), so that a dashboard and a metrics scrape stay cheap after a disaster that lost many.
     */
    public static final int LOST_COUNT_CAP = JobQuery.MAX_LIMIT;

    private final JobStore store;
    private final LostJobs lostJobs;
    private final Clock clock;

    /**
     * @param lostJobs null when no Sidekiq Redis is configured
     * @param clock    the supervisor's clock: what is settled in the activity it reads
     */
    JobQueries(JobStore store, LostJobs lostJobs, Clock clock) {
        this.store = store;
        this.lostJobs = lostJobs;
        this.clock = clock;
    }

    /**
     * One page of jobs matching the query, newest activity first, each marked lost or not where that can be known. Which
     * jobs are lost is read from the store (what the looks at Sidekiq found): no page reads Sidekiq's Redis.
     *
     * @param lostOnly only the lost jobs among those matching (the query's status is then ignored); needs Redis
     * @throws SidekiqNotConfiguredException when {@code lostOnly} and no Redis is configured
     */
    public JobListing list(JobQuery query, boolean lostOnly) {
        if (lostOnly) {
            requireLostJobs("finding lost jobs");
        }
        JobPage page = store.query(lostOnly ? query.lost() : query);
        return new JobListing(page.jobs(), page.nextCursor(), lostAmongOrUnknown(page.jobs()));
    }

    /** The job with its history, oldest event first, or empty if the supervisor never heard of it. */
    public Optional<JobDetails> job(String jobId) {
        return store.details(JobEvent.requireJobId(jobId, "job_id"));
    }

    /** Whether Sidekiq lost this job (contract 5b); null when that cannot be known (no Redis configured). */
    public Boolean lost(Job job) {
        return lostJobs == null ? null : job.lost();
    }

    /**
     * How many jobs are lost now, up to {@value #LOST_COUNT_CAP}.
     *
     * @throws SidekiqNotConfiguredException when no Redis is configured
     */
    public long countLost() {
        requireLostJobs("counting lost jobs");
        long count = 0;
        JobQuery query = JobQuery.builder().lostOnly(true).limit(JobQuery.MAX_LIMIT).build();
        while (count < LOST_COUNT_CAP) {
            JobPage page = store.query(query);
            count += page.jobs().size();
            if (page.nextCursor() == null) {
                break;
            }
            query = query.after(page.nextCursor());
        }
        return Math.min(count, LOST_COUNT_CAP);
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
     * Since the minute holding {@code since}: the events received, counted per status in buckets of {@code bucket} (a
     * whole number of minutes), oldest first, empty buckets left out; and per job class, the wait (queued → started) and
     * run (started → complete) times told by the events received since then, the class with the most first, at most
     * {@code maxClasses} classes. Read from the rollups the store keeps per minute and per hour (see
     * {@link JobStore#activity}): its cost follows the length of the range, not the number of events in it.
     */
    public Activity activity(Instant since, Duration bucket, int maxClasses) {
        if (bucket.isNegative() || bucket.isZero() || bucket.getNano() != 0 || bucket.getSeconds() % 60 != 0) {
            throw new InvalidInputException("bucket", "bucket must be a whole number of minutes");
        }
        return store.activity(since, clock.instant(), bucket, maxClasses);
    }

    /** Of these jobs, the ids of the lost ones; null when that cannot be known (no Redis configured). */
    private Set<String> lostAmongOrUnknown(List<Job> jobs) {
        return lostJobs == null ? null : jobs.stream().filter(Job::lost).map(Job::jobId).collect(Collectors.toUnmodifiableSet());
    }

    /** The lost-job finder, or a {@link SidekiqNotConfiguredException} naming {@code what} needed it. */
    LostJobs requireLostJobs(String what) {
        if (lostJobs == null) {
            throw new SidekiqNotConfiguredException(what);
        }
        return lostJobs;
    }
}
