package org.sidekiqsupervisor.manager;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.model.DeleteResult;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.sidekiq.SidekiqRedis;
import org.sidekiqsupervisor.store.JobStore;

/**
 * Keeping the store in shape: retention (prune), deleting jobs on a filter, and the health checks of the store and of
 * Sidekiq's Redis. Thread-safe; obtain it from {@link JobManager#maintenance()}.
 */
public final class Maintenance {
    /** Jobs deleted per transaction by {@link #prune} and {@link #delete}: small, so no lock is held for long. */
    public static final int PRUNE_BATCH = 500;
    /** How long the overview's rollups are kept unless the supervisor is told otherwise: 90 days. */
    public static final Duration ROLLUP_RETENTION = Duration.ofDays(90);
    /**
     * How long {@link #reclaimSpace} may compact an H2 file once. Writes wait for it, so it is short; what is left
     * is done after the next prune (and H2 compacts for 200 ms more when it closes).
     */
    public static final Duration RECLAIM_TIME = Duration.ofSeconds(2);
    /**
     * How long after its end a rollup bucket is folded ({@link #foldRollups}): a batch received just before the end may
     * still be committing. A fold is exact either way; one made too early only leaves a late batch's row unfolded.
     */
    public static final Duration FOLD_AFTER = Duration.ofMinutes(5);
    /** At most this many jobs are deleted by one {@link #delete} call. */
    public static final int DELETE_LIMIT = 10_000;

    private final JobStore store;
    private final JobQueries queries;
    private final SidekiqRedis redis;
    private final Clock clock;

    /** @param redis null when no Sidekiq Redis is configured */
    Maintenance(JobStore store, JobQueries queries, SidekiqRedis redis, Clock clock) {
        this.store = store;
        this.queries = queries;
        this.redis = redis;
        this.clock = clock;
    }

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

    /**
     * The rollups' own retention: forgets the overview's rollups of every time bucket that ended more than {@code keep}
     * ago, one bucket per short transaction. Jobs are left as they are.
     *
     * @return how many time buckets it forgot
     */
    public long pruneRollups(Duration keep) {
        return store.pruneRollups(cutoff(keep));
    }

    /**
     * Gives back the disk space that deletions left in an H2 file store, for at most about {@link #RECLAIM_TIME}
     * (writes wait for it meanwhile); run after a prune that deleted jobs. PostgreSQL needs nothing (autovacuum).
     *
     * @return how many bytes the store's file shrank by, or -1 when the store has no file to compact
     */
    public long reclaimSpace() {
        return store.reclaimSpace(RECLAIM_TIME);
    }

    /**
     * Folds the overview's rollups (see {@link org.sidekiqsupervisor.store.JobStore#foldRollups}): what is not folded yet,
     * and the shards of the time buckets that ended at least {@link #FOLD_AFTER} ago, so the overview sums fewer rows;
     * what it shows does not change.
     *
     * @return how many rows not folded yet and time buckets (of one table each) it folded
     */
    public long foldRollups() {
        return store.foldRollups(clock.instant().minus(FOLD_AFTER));
    }

    /** How many jobs {@link #prune} with this age would delete now. */
    public long countPrunable(Duration olderThan) {
        return store.prune(cutoff(olderThan), PRUNE_BATCH, true);
    }

    private Instant cutoff(Duration olderThan) {
        if (olderThan == null || olderThan.isNegative()) {
            throw new InvalidInputException("older_than", "older_than must be zero or more");
        }
        return clock.instant().minus(olderThan);
    }

    /**
     * Deletes the jobs matching {@code query} (its cursor and limit are ignored), with their histories, up to
     * {@value #DELETE_LIMIT} per call in transactions of {@value #PRUNE_BATCH}. A job that takes an event or
     * a restart claim between being read and being deleted is kept and counted as skipped.
     *
     * @param lostOnly only the jobs among them that Sidekiq lost (needs Redis); the query's status is then ignored
     */
    public DeleteResult delete(JobQuery query, boolean lostOnly) {
        Objects.requireNonNull(query, "query");
        if (lostOnly) {
            queries.requireLostJobs("deleting lost jobs");
        }
        JobQuery page = new JobQuery(lostOnly ? null : query.status(), query.filter(), query.jobClass(), query.queue(),
                query.since(), query.until(), query.startedBefore(), query.claimedBefore(), lostOnly, PRUNE_BATCH, null);
        long deleted = 0;
        long skipped = 0;
        while (true) {
            JobPage jobs = store.query(page);
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

    /** Throws {@link org.sidekiqsupervisor.store.StoreException} unless the store answers. */
    public void checkStore() {
        store.countByStatus();
    }

    /**
     * Throws {@link org.sidekiqsupervisor.sidekiq.SidekiqUnavailableException} unless Sidekiq's Redis answers.
     *
     * @throws org.sidekiqsupervisor.sidekiq.SidekiqNotConfiguredException when no Redis is configured
     */
    public void checkSidekiq() {
        queries.requireLostJobs("checking Sidekiq's Redis");
        redis.ping();
    }
}
