package org.sidekiqsupervisor.manager;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.sidekiqsupervisor.alerts.AlertSettings;
import org.sidekiqsupervisor.alerts.Alerter;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.ClassTimings;
import org.sidekiqsupervisor.model.DeleteResult;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.DurationPage;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationReport;
import org.sidekiqsupervisor.model.EventCount;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobDuration;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobProgress;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.PageCursor;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.model.RestartRequest;
import org.sidekiqsupervisor.model.RestartResult;
import org.sidekiqsupervisor.sidekiq.SidekiqNotConfiguredException;
import org.sidekiqsupervisor.sidekiq.SidekiqRedis;
import org.sidekiqsupervisor.sidekiq.SidekiqSettings;
import org.sidekiqsupervisor.sidekiq.SidekiqState;
import org.sidekiqsupervisor.store.JobStore;

/**
 * The seed's {@code JobManager} in Java form: records what the middlewares report and answers what
 * happened to jobs.
 *
 * <p>The seed's seven operations keep their names, each with an optional filter: a substring of the
 * job's arguments (JSON text), taken literally; null or empty means no filter. Their results are lazy
 * streams that read the store a page at a time, so a store of millions of jobs never sits in memory;
 * for one page at a time (an API, a screen) use {@link #query(JobQuery)} and
 * {@link #durations(DurationQuery)}.
 *
 * <p>Thread-safe. Obtain one from {@link org.sidekiqsupervisor.Supervisor#jobManager()}.
 */
public final class JobManager {
    /** Page size of the seed-style streams. */
    static final int STREAM_PAGE = 500;

    private final JobStore store;
    private final Clock clock;
    private final SidekiqRedis redis;
    private final LostJobs lostJobs;
    private final GroupCommitter committer;
    private final SupervisorMetrics metrics;
    private final Alerter alerter;

    /**
     * @param redis    Sidekiq's Redis, or null when none is configured (lost jobs, restart and Sidekiq's state
     *                 then throw {@link SidekiqNotConfiguredException})
     * @param settings how lost jobs are judged and restarted
     */
    public JobManager(JobStore store, Clock clock, SidekiqRedis redis, SidekiqSettings settings) {
        this(store, clock, redis, settings, new SimpleMeterRegistry());
    }

    /**
     * @param redis    Sidekiq's Redis, or null when none is configured (lost jobs, restart and Sidekiq's state
     *                 then throw {@link SidekiqNotConfiguredException})
     * @param settings how lost jobs are judged and restarted
     * @param registry where the supervisor's metrics go ({@code supervisor.*})
     */
    public JobManager(JobStore store, Clock clock, SidekiqRedis redis, SidekiqSettings settings, MeterRegistry registry) {
        this(store, clock, redis, settings, registry, AlertSettings.NONE);
    }

    /**
     * @param redis    Sidekiq's Redis, or null when none is configured (lost jobs, restart and Sidekiq's state
     *                 then throw {@link SidekiqNotConfiguredException})
     * @param settings how lost jobs are judged and restarted
     * @param registry where the supervisor's metrics go ({@code supervisor.*})
     * @param alerts   which webhooks to tell about failed, lost and slow jobs
     */
    public JobManager(JobStore store, Clock clock, SidekiqRedis redis, SidekiqSettings settings, MeterRegistry registry,
                      AlertSettings alerts) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.redis = redis;
        this.lostJobs = redis == null ? null : new LostJobs(store, redis, Objects.requireNonNull(settings, "settings"), clock);
        this.committer = new GroupCommitter(store, clock);
        this.metrics = new SupervisorMetrics(Objects.requireNonNull(registry, "registry"));
        this.alerter = new Alerter(Objects.requireNonNull(alerts, "alerts"), clock, registry);
        metrics.jobsByStatus(store::countByStatus);
        metrics.up("store", () -> {
            store.countByStatus();
            return true;
        });
        if (redis != null) {
            metrics.lostJobs(() -> countLost(NEWEST_STARTED_SCAN));
            metrics.up("redis", () -> {
                redis.ping();
                return true;
            });
        }
    }

    /**
     * How many of the newest started jobs the lost-jobs gauge, the lost-job alerts and the dashboard's lost count
     * check against Sidekiq: a bound, so a store with very many started jobs is not walked whole every time.
     */
    public static final int NEWEST_STARTED_SCAN = 2000;

    /**
     * How many of the newest {@code scan} started jobs are lost now (a bound, so that a store with very many started
     * jobs is not walked whole on every call).
     */
    public long countLost(int scan) {
        LostJobs lost = lost("counting lost jobs");
        return forNewestStarted(scan, page -> lost.lostAmong(page).size());
    }

    /** Runs {@code each} over the newest {@code scan} started jobs, a page at a time, and sums what it returns. */
    private long forNewestStarted(int scan, Function<List<Job>, Integer> each) {
        long sum = 0;
        int seen = 0;
        JobQuery query = JobQuery.builder().status(JobStatus.STARTED).limit(Math.min(500, Math.max(1, scan))).build();
        while (seen < scan) {
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

    /** Finishes writing what was submitted and stops the writers; the store stays open. */
    public void close() {
        committer.close();
        alerter.close();
    }

    /**
     * Looks for lost jobs among the newest {@value #NEWEST_STARTED_SCAN} started ones and sends an alert for each not
     * alerted before. The supervisor calls it on {@link AlertSettings#lostCheck()}; returns once they are queued for
     * sending.
     */
    public void alertLostJobs() {
        if (alerter.enabled() && lostJobs != null) {
            forNewestStarted(NEWEST_STARTED_SCAN, page -> {
                Set<String> lost = lostJobs.lostAmong(page);
                alerter.lost(page.stream().filter(job -> lost.contains(job.jobId())).toList());
                return lost.size();
            });
        }
    }

    // ---- recording ----

    /**
     * Records one event. An event without a time is stamped with the time it was received.
     *
     * @return what it did (created, updated, duplicate) and the job after it
     */
    public RecordResult record(JobEvent event) {
        return recordAll(List.of(event)).get(0);
    }

    /**
     * Records events in one transaction (shared with concurrent callers' events: group commit), returning once it
     * committed; one result per event, in order.
     */
    public List<RecordResult> recordAll(List<JobEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        long start = System.nanoTime();
        Instant now = clock.instant();
        List<JobEvent> stamped = new ArrayList<>(events.size());
        for (JobEvent event : events) {
            stamped.add(event.at() == null ? event.at(now) : event);
        }
        List<RecordResult> results = committer.record(stamped);
        metrics.ingest().record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        metrics.recorded(stamped, results);
        alerter.recorded(stamped, results);
        return results;
    }

    // ---- the seed's operations ----

    /** Jobs whose most recent status is queued. */
    public Stream<Job> queuedJobs(String filter) {
        return jobsWith(JobStatus.QUEUED, filter);
    }

    /** Jobs whose most recent status is started: running, or lost. */
    public Stream<Job> uncompletedJobs(String filter) {
        return jobsWith(JobStatus.STARTED, filter);
    }

    /** Jobs whose most recent status is complete. */
    public Stream<Job> completedJobs(String filter) {
        return jobsWith(JobStatus.COMPLETE, filter);
    }

    /** Jobs whose most recent status is failed (not in the seed, whose middleware never reported failures). */
    public Stream<Job> failedJobs(String filter) {
        return jobsWith(JobStatus.FAILED, filter);
    }

    /** All jobs, newest activity first. */
    public Stream<Job> jobs(String filter) {
        return jobsWith(null, filter);
    }

    /** For each completed job that was seen queued: how long from queued to complete. */
    public Stream<JobDuration> queuedToCompletionDuration(String filter) {
        return durationsFrom(DurationFrom.QUEUED, filter);
    }

    /** For each completed job: how long from its last start to complete. */
    public Stream<JobDuration> completedJobsDuration(String filter) {
        return durationsFrom(DurationFrom.STARTED, filter);
    }

    /**
     * Puts lost jobs back on Sidekiq's queues, as the seed's {@code restart_uncompleted_jobs} did but only
     * for jobs that Sidekiq really lost. See {@link #restart(RestartRequest)}.
     */
    public RestartResult restartUncompletedJobs(String filter) {
        return restart(RestartRequest.lost(filter));
    }

    /**
     * Puts the selected uncompleted jobs back on Sidekiq's queues under new jids, records each new job as
     * queued with a link to the one it replaced, and only then deletes the original. By default only lost
     * jobs; jobs left alone are listed with the reason ({@code running}, {@code queued_in_sidekiq},
     * {@code in_retry}, {@code too_recent}, {@code too_many_restarts}, ...).
     *
     * @throws SidekiqNotConfiguredException when the supervisor has no Redis to push to
     */
    public RestartResult restart(RestartRequest request) {
        Objects.requireNonNull(request, "request");
        RestartResult result = lost("restarting jobs").restart(request);
        metrics.restarted(result);
        return result;
    }

    /** Started jobs that Sidekiq lost: no live process runs them and they wait nowhere. */
    public Stream<Job> lostJobs(String filter) {
        JobQuery first = JobQuery.builder().filter(filter).limit(STREAM_PAGE).build();
        LostJobs lost = lost("finding lost jobs");
        return pages(first, lost::page, JobPage::nextCursor, first::after).flatMap(page -> page.jobs().stream());
    }

    /** One page of lost jobs matching the query (whose status is ignored). */
    public JobPage lostJobs(JobQuery query) {
        return lost("finding lost jobs").page(query);
    }

    /** Of these jobs, the ids of those that are lost now. */
    public Set<String> lostAmong(List<Job> jobs) {
        return lost("finding lost jobs").lostAmong(jobs);
    }

    /** Whether Sidekiq's Redis is configured (lost jobs, restart and Sidekiq's state need it). */
    public boolean sidekiqConfigured() {
        return redis != null;
    }

    /** Sidekiq's live state: queues, processes, totals, set sizes. */
    public SidekiqState sidekiqState() {
        lost("Sidekiq's state");
        return redis.state();
    }

    /** Throws {@link org.sidekiqsupervisor.sidekiq.SidekiqUnavailableException} unless Sidekiq's Redis answers. */
    public void checkSidekiq() {
        lost("checking Sidekiq's Redis");
        redis.ping();
    }

    private LostJobs lost(String what) {
        if (lostJobs == null) {
            throw new SidekiqNotConfiguredException(what);
        }
        return lostJobs;
    }

    // ---- paged queries ----

    /** One page of jobs, newest activity first. */
    public JobPage query(JobQuery query) {
        return store.query(query);
    }

    /** The job with its history, or empty if the supervisor never heard of it. */
    public Optional<JobDetails> job(String jobId) {
        return store.details(JobEvent.requireJobId(jobId, "job_id"));
    }

    /**
     * Per-job durations (a page) and summaries (count, mean, p50, p95, p99, max) overall and per class. Without a filter
     * or queue the summaries come from duration buckets the store keeps (percentiles within 1.6 %), whatever the number
     * of jobs; with either they are computed from the matching jobs.
     */
    public DurationReport durations(DurationQuery query) {
        return new DurationReport(store.durationPage(query), store.durationSummaries(query));
    }

    /** Jobs deleted per transaction by {@link #prune}: small, so no lock is held for long. */
    public static final int PRUNE_BATCH = 500;

    /**
     * Retention: deletes finished (complete and failed) jobs whose latest activity is older than {@code olderThan},
     * with their histories, {@value #PRUNE_BATCH} at a time, each batch its own short transaction. Queued and
     * started jobs are never pruned.
     *
     * @return how many jobs were deleted
     */
    public long prune(Duration olderThan) {
        Instant before = cutoff(olderThan);
        long total = 0;
        long deleted;
        do {
            deleted = store.prune(before, PRUNE_BATCH, false);
            total += deleted;
        } while (deleted == PRUNE_BATCH);
        return total;
    }

    /** How many jobs {@link #prune} with this age would delete now. */
    public long countPrunable(Duration olderThan) {
        return store.prune(cutoff(olderThan), PRUNE_BATCH, true);
    }

    private Instant cutoff(Duration olderThan) {
        if (olderThan == null || olderThan.isNegative()) {
            throw new org.sidekiqsupervisor.InvalidInputException("older_than", "older_than must be zero or more");
        }
        return clock.instant().minus(olderThan);
    }

    /** How many jobs are in each status now. */
    public Map<JobStatus, Long> countByStatus() {
        return store.countByStatus();
    }

    /** At most this many jobs are deleted by one {@link #delete} call. */
    public static final int DELETE_LIMIT = 10_000;

    /**
     * Deletes the jobs matching {@code query} (its cursor and limit are ignored), with their histories, up to
     * {@value #DELETE_LIMIT} per call in transactions of {@value #PRUNE_BATCH}. A job that takes an event or
     * a restart claim between being read and being deleted is kept and counted as skipped.
     *
     * @param lostOnly only the jobs among them that Sidekiq lost (needs Redis); the query's status is then ignored
     */
    public DeleteResult delete(JobQuery query, boolean lostOnly) {
        Objects.requireNonNull(query, "query");
        JobQuery page = new JobQuery(lostOnly ? null : query.status(), query.filter(), query.jobClass(), query.queue(),
                query.since(), query.until(), query.startedBefore(), PRUNE_BATCH, null);
        LostJobs lost = lostOnly ? lost("deleting lost jobs") : null;
        long deleted = 0;
        long skipped = 0;
        while (true) {
            JobPage jobs = lostOnly ? lost.page(page) : store.query(page);
            List<String> gone = store.delete(jobs.jobs());
            deleted += gone.size();
            skipped += jobs.jobs().size() - gone.size();
            if (jobs.nextCursor() == null) {
                return new DeleteResult(deleted, skipped, false);
            }
            if (deleted >= DELETE_LIMIT) {
                return new DeleteResult(deleted, skipped, true);
            }
            // Kept jobs stay in place, so page on from the last one read rather than from the start.
            page = page.after(jobs.nextCursor());
        }
    }

    /**
     * Events received since {@code since}, counted per status in buckets of {@code bucket} (at least a second),
     * oldest first; empty buckets are left out.
     */
    public List<EventCount> eventCounts(Instant since, Duration bucket) {
        return activity(since, bucket, 0).eventCounts();
    }

    /** Per job class, wait (queued → started) and run (started → complete) times over jobs active since {@code since}. */
    public List<ClassTimings> classTimings(Instant since, int maxClasses) {
        // The event counts read alongside are not wanted here; one bucket a day keeps them to a few rows.
        return activity(since, Duration.ofDays(1), maxClasses).classTimings();
    }

    /**
     * Since {@code since}: the events received, counted per status in buckets of {@code bucket} (at least a second),
     * oldest first, empty buckets left out; and per job class, wait (queued → started) and run (started → complete)
     * times over the jobs active since then, most jobs first, at most {@code maxClasses} classes.
     */
    public Activity activity(Instant since, Duration bucket, int maxClasses) {
        if (bucket.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new org.sidekiqsupervisor.InvalidInputException("bucket", "bucket must be at least one second");
        }
        return store.activity(since, bucket, maxClasses);
    }

    /**
     * Records a running job's progress (units done, units in all, a message), as sidekiq-status reports it. The time
     * received is stamped here; the latest value of each field is kept.
     *
     * @return the job with its progress, or empty when the supervisor does not know the job (nothing is written)
     */
    public Optional<Job> recordProgress(String jobId, Long at, Long total, String message) {
        return store.recordProgress(JobEvent.requireJobId(jobId, "job_id"), new JobProgress(at, total, message, clock.instant()));
    }

    /** Throws {@link org.sidekiqsupervisor.store.StoreException} unless the store answers. */
    public void checkStore() {
        store.countByStatus();
    }

    private Stream<Job> jobsWith(JobStatus status, String filter) {
        JobQuery first = JobQuery.builder().status(status).filter(filter).limit(STREAM_PAGE).build();
        return pages(first, store::query, JobPage::nextCursor, first::after).flatMap(page -> page.jobs().stream());
    }

    private Stream<JobDuration> durationsFrom(DurationFrom from, String filter) {
        DurationQuery first = new DurationQuery(from, filter, null, null, STREAM_PAGE, null);
        return pages(first, store::durationPage, DurationPage::nextCursor, first::after).flatMap(page -> page.jobs().stream());
    }

    /** A lazy stream of pages: the next is read only when the previous one is used up. */
    private static <Q, P> Stream<P> pages(Q first, Function<Q, P> read, Function<P, PageCursor> next,
                                          Function<PageCursor, Q> after) {
        return Stream.iterate(read.apply(first), Objects::nonNull,
                page -> next.apply(page) == null ? null : read.apply(after.apply(next.apply(page))));
    }
}
