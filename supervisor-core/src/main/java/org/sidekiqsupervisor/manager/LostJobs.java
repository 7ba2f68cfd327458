package org.sidekiqsupervisor.manager;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.LookSummary;
import org.sidekiqsupervisor.model.RestartPolicy;
import org.sidekiqsupervisor.model.RestartRequest;
import org.sidekiqsupervisor.model.RestartResult;
import org.sidekiqsupervisor.sidekiq.HeldJobs;
import org.sidekiqsupervisor.sidekiq.JobLocation;
import org.sidekiqsupervisor.sidekiq.SidekiqPayloads;
import org.sidekiqsupervisor.sidekiq.SidekiqRedis;
import org.sidekiqsupervisor.sidekiq.SidekiqSettings;
import org.sidekiqsupervisor.sidekiq.SidekiqUnavailableException;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.store.JobStore;
import org.sidekiqsupervisor.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finding jobs Sidekiq lost, and putting them back safely (contract 5b). Looks at Sidekiq run in the background, a
 * complete pass at a time in bounded, paced steps ({@link #look}); what they find is kept on the jobs in the store,
 * so that pages, lookups and counts read which jobs are lost from the store and never read Sidekiq's Redis per request.
 * A queued or started job is lost once it has been held nowhere in every look for the grace period, and in at least
 * two looks more than a heartbeat apart.
 *
 * <p>A restart claims the job in the store first (so that of several supervisors exactly one pushes it), checks once
 * more where Sidekiq has it, pushes a new job to Sidekiq as its client would, records the new job as queued with
 * {@code restarted_from}, and only then deletes the original. A failure part-way loses nothing. Thread-safe.
 */
final class LostJobs {
    private static final Logger LOG = LoggerFactory.getLogger(LostJobs.class);
    /**
     * How old a restart claim must be before another supervisor settles it: a restart takes milliseconds, so a claim
     * this old was left behind by a supervisor that died, or whose store failed, part-way.
     */
    static final Duration CLAIM_TIMEOUT = Duration.ofMinutes(5);
    /** How many jobs a restart reads, claims and checks at a time. */
    static final int CHUNK = 500;
    /**
     * The least time from the first look that misses a job to the latest, whatever the grace: Sidekiq's heartbeat (10 s
     * in 7 and 8, 5 s in 6) and half again for a slow beat. A job fetched since the last beat is in no queue and in no
     * process's work until the next, so a lost job must have been missed by looks more than a heartbeat apart
     * (contract 5b).
     */
    static final Duration LEAST_MISSING = Duration.ofSeconds(15);
    /**
     * How many entries of Sidekiq's queues and sets a look reads a second at most: with a million jobs waiting, a look
     * takes about 20 s and reads about 30 bytes a job (the jid alone; see {@link SidekiqRedis#look}).
     */
    static final int LOOK_ENTRIES_PER_SECOND = 50_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JobStore store;
    private final SidekiqRedis redis;
    private final SidekiqSettings settings;
    private final Clock clock;
    private volatile RestartSteps steps = (step, jobId) -> { };

    LostJobs(JobStore store, SidekiqRedis redis, SidekiqSettings settings, Clock clock) {
        this.store = store;
        this.redis = redis;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * One complete look at Sidekiq, recorded in the store: which queued and started jobs are missing, and which of them
     * are lost now (told to {@code newlyLost}, each by one supervisor only); then restart claims left behind are
     * settled with what the look found.
     *
     * @throws SidekiqUnavailableException when Redis fails part-way: the look decides nothing
     */
    LookSummary look(Consumer<Job> newlyLost) {
        HeldJobs held = redis.look(LOOK_ENTRIES_PER_SECOND);
        Duration lostAfter = settings.lostGrace().compareTo(LEAST_MISSING) > 0 ? settings.lostGrace() : LEAST_MISSING;
        int[] lost = {0};
        int missing = store.recordLook(held.startedAt(), held::holds, lostAfter, job -> {
            lost[0]++;
            newlyLost.accept(job);
        });
        int settled = healStaleClaims(held);
        return new LookSummary(held.startedAt(), held.finishedAt(), held.entriesRead(), held.size(), missing, lost[0], settled);
    }

    /**
     * Restarts the jobs the request selects. See {@link JobManager#restart}.
     */
    RestartResult restart(RestartRequest request) {
        Instant now = clock.instant();
        List<RestartResult.Restarted> restarted = new ArrayList<>();
        List<RestartResult.Skipped> skipped = new ArrayList<>();
        Instant olderThan = request.olderThan() == null ? null : now.minus(request.olderThan());
        boolean lostScope = request.scope() == RestartRequest.Scope.LOST;
        // Lost: what the looks found, whatever the status (queued or started); uncompleted: every started job, as the
        // original supervisor restarted them.
        JobQuery query = JobQuery.builder().status(JobStatus.STARTED).lostOnly(lostScope).filter(request.filter())
                .jobClass(request.jobClass()).queue(request.queue())
                .until(lostScope ? olderThan : null).startedBefore(lostScope ? null : olderThan)
                .limit(CHUNK).build();
        try {
            while (true) {
                JobPage page = request.jobId() == null ? store.query(query) : onlyJob(request.jobId(), query, skipped);
                List<Job> selected = new ArrayList<>();
                for (Job job : page.jobs()) {
                    String reason = reasonToSkip(job, request);
                    if (reason != null) {
                        skipped.add(new RestartResult.Skipped(job.jobId(), reason));
                        continue;
                    }
                    if (restarted.size() + selected.size() == request.limit()) {
                        // The limit is reached unless the last look skips some of those selected: restart them first.
                        restartAll(selected, now, request.scope(), restarted, skipped);
                        selected.clear();
                        if (restarted.size() == request.limit()) {
                            return new RestartResult(restarted, skipped, request.dryRun(), true, null);
                        }
                    }
                    if (request.dryRun()) {
                        restarted.add(new RestartResult.Restarted(job.jobId(), null, queueOf(job)));
                    } else {
                        selected.add(job);
                    }
                }
                restartAll(selected, now, request.scope(), restarted, skipped);
                if (page.nextCursor() == null) {
                    return new RestartResult(restarted, skipped, request.dryRun(), false, null);
                }
                query = query.after(page.nextCursor());
            }
        } catch (SidekiqUnavailableException | StoreException e) {
            if (restarted.isEmpty() && skipped.isEmpty()) {
                throw e;
            }
            LOG.warn("restart stopped part-way after {} jobs: {}", restarted.size(), e.getMessage());
            return new RestartResult(restarted, skipped, request.dryRun(), true, e.getMessage());
        }
    }

    /** The one job, as a page, if it matches the rest of the query. */
    private JobPage onlyJob(String jobId, JobQuery query, List<RestartResult.Skipped> skipped) {
        Job job = store.details(jobId).map(JobDetails::job).orElse(null);
        if (job == null) {
            return new JobPage(List.of(), null);
        }
        if (!matches(job, query)) {
            if (query.lostOnly() && (job.status() == JobStatus.QUEUED || job.status() == JobStatus.STARTED)) {
                // A person named a job that is not lost: say where it is (one job: a cheap look), or that the looks
                // have not missed it for long enough yet.
                JobLocation location = redis.recheck(Map.of(jobId, queueOf(job))).get(jobId);
                skipped.add(new RestartResult.Skipped(jobId, location == JobLocation.NOWHERE ? "not_lost_yet" : location.reason()));
            }
            return new JobPage(List.of(), null);
        }
        return new JobPage(List.of(job), null);
    }

    private static boolean matches(Job job, JobQuery query) {
        return (query.lostOnly() ? job.lost() : job.status() == query.status())
                && (query.until() == null || job.activityAt().isBefore(query.until()))
                && (query.jobClass() == null || query.jobClass().equals(job.jobClass()))
                && (query.queue() == null || query.queue().equals(job.queue()))
                && (query.filter() == null || (job.arguments() != null && job.arguments().contains(query.filter())))
                && (query.startedBefore() == null || (job.startedAt() != null && job.startedAt().isBefore(query.startedBefore())));
    }

    private String reasonToSkip(Job job, RestartRequest request) {
        boolean named = request.jobId() != null;
        if (job.restartingTo() != null) {
            return "restart_in_progress";
        }
        // A person who names a quarantined job and forces its restart releases it (contract 5a); nothing else does.
        if (settings.quarantined(job.restarts()) && !(named && request.force())) {
            return "quarantined";
        }
        RestartPolicy policy = settings.policy(job.jobClass());
        if (policy == RestartPolicy.NEVER && !request.force()) {
            return "never";
        }
        if (policy == RestartPolicy.HOLD && !request.force() && !named) {
            return "held";
        }
        if (job.payload() == null && job.jobClass() == null) {
            return "unknown_class";
        }
        if (job.payload() == null && job.arguments() == null) {
            return "unknown_arguments";
        }
        return null;
    }

    /**
     * Restarts these jobs: claims each, looks once more where Sidekiq has the claimed ones (one look for them all, not
     * one per job: a look reads every queue), then pushes those still nowhere, each with the payload format of the
     * version the live processes announce (read once for them all), and records each replacement.
     */
    private void restartAll(List<Job> jobs, Instant now, RestartRequest.Scope scope, List<RestartResult.Restarted> restarted,
                            List<RestartResult.Skipped> skipped) {
        Map<Job, String> claimed = new LinkedHashMap<>();
        for (Job job : jobs) {
            String newJobId = newJobId();
            if (store.swapRestartClaim(job.jobId(), null, newJobId, now)) {
                claimed.put(job, newJobId);
                steps.reached(RestartStep.CLAIMED, job.jobId());
            } else {
                skipped.add(new RestartResult.Skipped(job.jobId(), "claimed_by_another"));
            }
        }
        if (claimed.isEmpty()) {
            return;
        }
        try {
            if (scope == RestartRequest.Scope.LOST) {
                // The looks found them missing before the claim; a Sidekiq that came back may have put one back since
                // (super_fetch's recovery, a process that was only cut off). Check once more now that no other
                // supervisor can push them.
                Map<String, String> queues = new LinkedHashMap<>();
                claimed.keySet().forEach(job -> queues.put(job.jobId(), queueOf(job)));
                Map<String, JobLocation> where = redis.recheck(queues);
                for (Iterator<Map.Entry<Job, String>> each = claimed.entrySet().iterator(); each.hasNext(); ) {
                    Map.Entry<Job, String> entry = each.next();
                    JobLocation location = where.get(entry.getKey().jobId());
                    if (location != JobLocation.NOWHERE) {
                        release(entry.getKey(), entry.getValue(), now);
                        skipped.add(new RestartResult.Skipped(entry.getKey().jobId(), location.reason()));
                        each.remove();
                    }
                }
            }
            if (claimed.isEmpty()) {
                return;
            }
            SidekiqVersion version = redis.announcedVersion().orElse(settings.version());
            for (Iterator<Map.Entry<Job, String>> each = claimed.entrySet().iterator(); each.hasNext(); ) {
                Map.Entry<Job, String> entry = each.next();
                each.remove();
                try {
                    pushAndRecord(entry.getKey(), entry.getValue(), version, now, restarted);
                } catch (SidekiqUnavailableException e) {
                    release(entry.getKey(), entry.getValue(), now);
                    throw e;
                }
            }
        } catch (SidekiqUnavailableException | StoreException e) {
            // Those not pushed yet are as they were, for the next restart. (One pushed but not recorded keeps its claim:
            // it left the map before its push.)
            claimed.forEach((job, newJobId) -> release(job, newJobId, now));
            throw e;
        }
    }

    /** Gives up a claim whose job was not pushed; a store that fails here leaves it to {@link #healStaleClaims}. */
    private void release(Job job, String newJobId, Instant now) {
        try {
            store.swapRestartClaim(job.jobId(), newJobId, null, now);
        } catch (StoreException e) {
            LOG.warn("could not release the restart claim on job {}; it is settled once it is {} old: {}", job.jobId(),
                    CLAIM_TIMEOUT, e.getMessage());
        }
    }

    /** Pushes one claimed job under its new jid and records the replacement; a push that fails pushed nothing. */
    private void pushAndRecord(Job job, String newJobId, SidekiqVersion version, Instant now,
                               List<RestartResult.Restarted> restarted) {
        String queue = queueOf(job);
        String payload = job.payload() == null
                ? SidekiqPayloads.payload(job.jobClass(), job.arguments(), newJobId, queue, now, version)
                : SidekiqPayloads.restartPayload(job.payload(), newJobId, queue, now, version);
        redis.push(queue, payload);
        steps.reached(RestartStep.PUSHED, job.jobId());
        try {
            store.completeRestart(job, new JobEvent(newJobId, JobStatus.QUEUED, now, job.jobClass(), queue, job.arguments(),
                    null, null, job.jobId(), replacementPayload(job, payload)), now);
        } catch (StoreException e) {
            // On Sidekiq's queue, but not recorded: the original keeps its claim (so it is never pushed twice) until a
            // supervisor settles the claim left behind, finding the replacement on Sidekiq (healStaleClaims).
            LOG.error("job {} was pushed to Sidekiq as {} but could not be recorded; the original stays claimed", job.jobId(),
                    newJobId, e);
            throw e;
        }
        restarted.add(new RestartResult.Restarted(job.jobId(), newJobId, queue));
        LOG.info("restarted job {} ({}) as {} on queue {} (restart {} of {})", job.jobId(), job.jobClass(), newJobId, queue,
                job.restarts() + 1, settings.maxRestarts());
    }

    /**
     * Resolves restart claims older than {@link #CLAIM_TIMEOUT} when {@code look} began: a supervisor died, or its store
     * failed, between claiming a job and finishing its restart. Whichever supervisor sees such a claim first settles
     * it: when the look found the replacement (a restart pushes within milliseconds of its claim, so long before the
     * look began) or the replacement has reported in, the restart happened and is completed (the replacement recorded
     * with its lineage, the original deleted); else nothing was pushed, and the claim is released so that the job can
     * be restarted again. Never pushes anything itself, and reads nothing more of Redis.
     *
     * @return how many claims it settled
     */
    int healStaleClaims(HeldJobs look) {
        Instant now = clock.instant();
        JobQuery stale = JobQuery.builder().claimedBefore(look.startedAt().minus(CLAIM_TIMEOUT)).limit(CHUNK).build();
        int settled = 0;
        while (true) {
            JobPage page = store.query(stale);
            if (page.jobs().isEmpty()) {
                return settled;
            }
            int before = settled;
            for (Job job : page.jobs()) {
                String replacement = job.restartingTo();
                if (look.holds(replacement) || store.details(replacement).isPresent()) {
                    store.completeRestart(job, new JobEvent(replacement, JobStatus.QUEUED, now, job.jobClass(), queueOf(job),
                            job.arguments(), null, null, job.jobId()), now);
                    LOG.warn("completed the restart of job {} as {}: its claim was left behind, and the replacement is on Sidekiq",
                            job.jobId(), replacement);
                    settled++;
                } else if (store.swapRestartClaim(job.jobId(), replacement, null, now)) {
                    LOG.warn("released the restart claim on job {}: it was left behind, and its replacement {} never reached Sidekiq",
                            job.jobId(), replacement);
                    settled++;
                }
            }
            if (page.nextCursor() == null || settled == before) {
                // The last page, or one whose claims all moved on under another supervisor meanwhile.
                return settled;
            }
            // Settled claims leave the query's results, so the next page starts over rather than from a cursor.
        }
    }

    /** The steps of one restart that the crash tests stop a supervisor at. */
    enum RestartStep {
        /** The job is claimed in the store; nothing is pushed yet. */
        CLAIMED,
        /** The replacement is on Sidekiq's queue; the store does not know it yet. */
        PUSHED
    }

    /** Told each step of every restart: nothing in production; the crash tests make a supervisor die there. */
    interface RestartSteps {
        void reached(RestartStep step, String jobId);
    }

    /** Sets what is told each step of a restart (tests only). */
    void onRestartStep(RestartSteps hook) {
        steps = Objects.requireNonNull(hook, "hook");
    }

    /**
     * The pushed hash as the replacement's own payload, so that restarting it again keeps the options; none when the
     * original had none (it was rebuilt), or when the new jid and times made it longer than an event may carry.
     */
    private static String replacementPayload(Job original, String pushed) {
        return original.payload() == null || pushed.length() > JobEvent.MAX_PAYLOAD_LENGTH ? null : pushed;
    }

    /** The queue a job goes back to: its payload's, else the one its events named, else Sidekiq's default. */
    private static String queueOf(Job job) {
        String fromPayload = SidekiqPayloads.queue(job.payload());
        if (fromPayload != null) {
            return fromPayload;
        }
        return job.queue() == null ? "default" : job.queue();
    }

    /** A jid as Sidekiq's client makes one: 12 random bytes as 24 lowercase hex characters. */
    static String newJobId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
