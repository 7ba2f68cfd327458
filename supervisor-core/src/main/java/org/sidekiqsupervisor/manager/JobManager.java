package org.sidekiqsupervisor.manager;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import org.sidekiqsupervisor.alerts.AlertSettings;
import org.sidekiqsupervisor.alerts.Alerter;
import org.sidekiqsupervisor.model.AuditEntry;
import org.sidekiqsupervisor.model.DeleteResult;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.DurationPage;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDuration;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobProgress;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.LookSummary;
import org.sidekiqsupervisor.model.PageCursor;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.model.RestartRequest;
import org.sidekiqsupervisor.model.RestartResult;
import org.sidekiqsupervisor.sidekiq.SidekiqActionResult;
import org.sidekiqsupervisor.sidekiq.SidekiqActions;
import org.sidekiqsupervisor.sidekiq.SidekiqNotConfiguredException;
import org.sidekiqsupervisor.sidekiq.SidekiqRedis;
import org.sidekiqsupervisor.sidekiq.SidekiqSelection;
import org.sidekiqsupervisor.sidekiq.SidekiqSet;
import org.sidekiqsupervisor.sidekiq.SidekiqSettings;
import org.sidekiqsupervisor.sidekiq.SidekiqState;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.store.JobStore;

/**
 * The original supervisor's {@code JobManager} in Java form: records what the middlewares report, answers what
 * happened to jobs and puts lost jobs back on Sidekiq's queues.
 *
 * <p>The original's operations keep their names, each with an optional filter: a substring of the job's arguments
 * (JSON text), taken literally; null or empty means no filter. Their results are lazy streams that read the store a
 * page at a time, so a store of millions of jobs never sits in memory. One page at a time, for an API or a screen,
 * is {@link #queries()}; retention, deletes and health checks are {@link #maintenance()}.
 *
 * <p>Thread-safe. Obtain one from {@link org.sidekiqsupervisor.Supervisor#jobManager()}.
 */
public final class JobManager {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobManager.class);
    /** Page size of the streams. */
    static final int STREAM_PAGE = 500;

    private final JobStore store;
    private final Clock clock;
    private final SidekiqRedis redis;
    private final SidekiqSettings settings;
    private final GroupCommitter committer;
    private final SupervisorMetrics metrics;
    private final Alerter alerter;
    private final JobQueries queries;
    private final Maintenance maintenance;

    /**
     * @param store    where jobs are kept
     * @param clock    stamps events sent without a time, and judges ages
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
        this.settings = Objects.requireNonNull(settings, "settings");
        LostJobs lostJobs = redis == null ? null : new LostJobs(store, redis, Objects.requireNonNull(settings, "settings"), clock);
        this.committer = new GroupCommitter(store, clock);
        this.metrics = new SupervisorMetrics(Objects.requireNonNull(registry, "registry"));
        this.alerter = new Alerter(Objects.requireNonNull(alerts, "alerts"), clock, registry);
        this.queries = new JobQueries(store, lostJobs, clock);
        this.maintenance = new Maintenance(store, queries, redis, clock);
        metrics.jobsByStatus(store::countByStatus);
        metrics.unapplied(store::unappliedEvents);
        metrics.up("store", () -> {
            maintenance.checkStore();
            return true;
        });
        if (redis != null) {
            metrics.lostJobs(queries::countLost);
            metrics.up("redis", () -> {
                redis.ping();
                return true;
            });
        }
    }

    /** Pages of jobs, one job, durations, counts and recent activity, with which jobs are lost. */
    public JobQueries queries() {
        return queries;
    }

    /** Retention, deletes on a filter, and the health checks of the store and of Redis. */
    public Maintenance maintenance() {
        return maintenance;
    }

    /** Finishes writing what was submitted and stops the writers; the store stays open. */
    public void close() {
        committer.close();
        alerter.close();
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
        java.time.Instant now = clock.instant();
        List<JobEvent> stamped = new ArrayList<>(events.size());
        for (JobEvent event : events) {
            stamped.add(event.at() == null ? event.at(now) : event);
        }
        List<RecordResult> results = committer.record(stamped);
        metrics.ingest().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        metrics.recorded(stamped, results);
        alerter.recorded(stamped, results);
        return results;
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

    // ---- the original's operations ----

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

    /** Jobs whose most recent status is failed (the original's middleware never reported failures). */
    public Stream<Job> failedJobs(String filter) {
        return jobsWith(JobStatus.FAILED, filter);
    }

    /** All jobs, newest activity first. */
    public Stream<Job> jobs(String filter) {
        return jobsWith(null, filter);
    }

    /** Jobs that Sidekiq lost (contract 5b): queued or started, and held nowhere in Sidekiq for the grace period. */
    public Stream<Job> lostJobs(String filter) {
        queries.requireLostJobs("finding lost jobs");
        JobQuery first = JobQuery.builder().filter(filter).lostOnly(true).limit(STREAM_PAGE).build();
        return pages(first, store::query, JobPage::nextCursor, first::after).flatMap(page -> page.jobs().stream());
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
     * Puts lost jobs back on Sidekiq's queues, as the original's {@code restart_uncompleted_jobs} did but only
     * for jobs that Sidekiq really lost. See {@link #restart(RestartRequest)}.
     */
    public RestartResult restartUncompletedJobs(String filter) {
        return restart(RestartRequest.lost(filter));
    }

    /**
     * Puts the selected uncompleted jobs back on Sidekiq's queues under new jids, records each new job as
     * queued with a link to the one it replaced, and only then deletes the original. By default only lost
     * jobs; jobs left alone are listed with the reason ({@code running}, {@code queued_in_sidekiq},
     * {@code in_retry}, {@code quarantined}, {@code held}, ...).
     *
     * @throws SidekiqNotConfiguredException when the supervisor has no Redis to push to
     */
    public RestartResult restart(RestartRequest request) {
        Objects.requireNonNull(request, "request");
        RestartResult result = queries.requireLostJobs("restarting jobs").restart(request);
        metrics.restarted(result);
        return result;
    }

    /**
     * {@link #restart(RestartRequest)}, recorded in the audit log as {@code jobs.restart} by {@code actor} (a run of
     * the watchdog only when it restarted something).
     */
    public RestartResult restart(RestartRequest request, String actor) {
        RestartResult result = restart(request);
        if (!"watchdog".equals(actor) || !result.restarted().isEmpty()) {
            audit(actor, "jobs.restart", "jobs", result.restarted().stream().map(RestartResult.Restarted::jobId).toList(),
                    result.restarted().size(), result.dryRun());
        }
        return result;
    }

    /**
     * Deletes the jobs on {@code query} with {@link Maintenance#delete}, recorded in the audit log as
     * {@code jobs.delete} by {@code actor} with how many were deleted.
     */
    public DeleteResult delete(JobQuery query, boolean lostOnly, String actor) {
        DeleteResult result = maintenance.delete(query, lostOnly);
        audit(actor, "jobs.delete", "jobs", List.of(), result.deleted(), false);
        return result;
    }

    /**
     * Records an action in the audit log, now. An action already done is not undone when the store fails: the failure
     * is logged instead, so that a client retrying does not act twice.
     */
    public void audit(String actor, String action, String target, List<String> jids, long count, boolean dryRun) {
        try {
            store.recordAudit(AuditEntry.of(clock.instant(), actor, action, target, jids, count, dryRun));
        } catch (RuntimeException e) {
            LOG.error("the audit log did not record {} by {} on {} ({} jobs): {}", action, actor, target, count, e.getMessage());
        }
    }

    /**
     * A page of the audit log, newest first.
     *
     * @param beforeId the last id of the previous page, or null
     */
    public List<AuditEntry> auditLog(int limit, Long beforeId) {
        return store.audit(limit, beforeId);
    }

    /**
     * One complete look at Sidekiq (contract 5b), recorded in the store: the queued and started jobs it finds nowhere are
     * missing, those missing long enough become lost (and are alerted, once however many supervisors share the store),
     * and restart claims a supervisor left behind (it died, or its store failed, part-way through a restart) are
     * settled. The maintenance scheduler runs one every {@link MaintenanceScheduler#LOOK_INTERVAL} when Redis is
     * configured; a host or a test may call it at any time. Reads Redis in bounded, paced steps: with a million jobs
     * waiting a look takes some 20 s.
     *
     * @throws SidekiqNotConfiguredException when no Redis is configured
     * @throws org.sidekiqsupervisor.sidekiq.SidekiqUnavailableException when Redis fails part-way (the look decides
     *                                                                     nothing)
     */
    public LookSummary lookAtSidekiq() {
        LookSummary look = queries.requireLostJobs("looking at Sidekiq").look(job -> {
            // A quarantined job (a poison pill) has been alerted about, and restarted, enough.
            if (!settings.quarantined(job.restarts())) {
                alerter.lost(job);
            }
        });
        metrics.looked(look);
        return look;
    }

    /** Tells {@code hook} each step of every restart (the crash tests). */
    void onRestartStep(LostJobs.RestartSteps hook) {
        queries.requireLostJobs("restart steps").onRestartStep(hook);
    }

    // ---- Sidekiq ----

    /** How lost jobs are judged and restarted: grace, restart policies per class, quarantine. */
    public SidekiqSettings sidekiqSettings() {
        return settings;
    }

    /** Whether Sidekiq's Redis is configured (lost jobs, restart and Sidekiq's state need it). */
    public boolean sidekiqConfigured() {
        return redis != null;
    }

    /**
     * Sidekiq's live state: queues, processes, totals, set sizes.
     *
     * @throws SidekiqNotConfiguredException when no Redis is configured
     */
    public SidekiqState sidekiqState() {
        queries.requireLostJobs("Sidekiq's state");
        return redis.state();
    }

    /**
     * Sidekiq's Redis, for reading its jobs page by page and acting on them as its Web UI does.
     *
     * @param what what needs it, for the error
     * @throws SidekiqNotConfiguredException when no Redis is configured
     */
    public SidekiqRedis sidekiqRedis(String what) {
        if (redis == null) {
            throw new SidekiqNotConfiguredException(what);
        }
        return redis;
    }

    /**
     * The one way to act on a Sidekiq set's entries (the API's and the dashboard's): the entries {@code selection}
     * names are read and acted on as Sidekiq's Web UI does, in the format of {@link #sidekiqWriteVersion()}, and the
     * action is recorded in the audit log as {@code <set>.<action>} by {@code actor}; with {@code actor} null (a
     * dashboard confirmation counting what it would do) nothing is recorded.
     *
     * @throws org.sidekiqsupervisor.InvalidInputException when the action does not apply to the set
     */
    public SidekiqActionResult actOnSidekiqSet(String actor, SidekiqSet set, SidekiqActions.SetAction action,
                                               SidekiqSelection selection, boolean dryRun) {
        SidekiqActions.check(set, action);
        SidekiqRedis sidekiq = sidekiqRedis("Sidekiq's jobs");
        // A dry run writes nothing, so it need not ask Redis which format the live processes read.
        // A job the supervisor pushes goes through no Ruby client, so no middleware reports it queued: the supervisor
        // records that itself, so its history shows when and how it went back (the status stays as it was until it
        // starts, as for any queued event after the first).
        // Its time is taken before the push: Sidekiq may start the job within a millisecond of it.
        List<JobEvent> queued = new ArrayList<>();
        Instant pushedAt = clock.instant();
        SidekiqActionResult result = selection.act(sidekiq, set, action, dryRun ? settings.version() : sidekiqWriteVersion(), dryRun,
                entry -> queued.add(new JobEvent(entry.jid(), JobStatus.QUEUED, pushedAt, entry.jobClass(), entry.queue(),
                        entry.args() == null ? null : entry.args().toString(), null, null, null)));
        if (!queued.isEmpty()) {
            try {
                recordAll(queued);
            } catch (RuntimeException e) {
                // The push is done and cannot be taken back; the job reports in when it starts.
                LOG.warn("could not record {} job(s) the supervisor put back on their queues: {}", queued.size(), e.getMessage());
            }
        }
        if (actor != null) {
            audit(actor, set.wireName() + "." + action.name().toLowerCase(java.util.Locale.ROOT), set.wireName(), result.done(),
                    result.count(), dryRun);
        }
        return result;
    }

    /** The format the actions write in: the version live processes announce, else the configured one. */
    public SidekiqVersion sidekiqWriteVersion() {
        return sidekiqRedis("acting on Sidekiq's jobs").announcedVersion().orElse(settings.version());
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
