package org.sidekiqsupervisor.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.AuditEntry;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.DurationPage;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationSummaries;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobProgress;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.PageCursor;
import org.sidekiqsupervisor.model.RecordResult;

/**
 * Where jobs and their histories are kept: the storage SPI.
 *
 * <p>A store holds no business rules: it persists what {@link Job#first} and {@link Job#apply} decide, and answers
 * queries. What an implementer must provide throughout:
 * <ul>
 *   <li><b>Thread-safety.</b> Every method may be called from many threads at once, and several supervisor processes
 *       may share one database: each write is atomic (it happens whole or not at all), and concurrent writes to the
 *       same job are serialised (lock the job's row, or retry a transaction that lost a race), never lost.</li>
 *   <li><b>Failures.</b> Every method throws {@link StoreException} when the database does not answer (or refuses); a
 *       write that throws recorded nothing, and the caller may try it again. A call with arguments this page rules
 *       out throws {@link IllegalArgumentException}.</li>
 *   <li><b>Time.</b> Times are kept to the microsecond: a store may drop what is finer, and two times that agree to
 *       the microsecond are the same time.</li>
 *   <li><b>Order.</b> "Newest activity first" is descending {@link Job#activityAt()}, ties broken by descending job id;
 *       a {@link PageCursor} names the last job of a page, and the next page starts strictly after it in that order.</li>
 *   <li><b>Aggregates.</b> What {@link #countByStatus()}, {@link #durationSummaries} and {@link #activity} answer
 *       follows every write in the same transaction as the write.</li>
 * </ul>
 */
public interface JobStore extends AutoCloseable {

    /**
     * Records events in one transaction. Each event is appended to its job's history and folded into the job's
     * current state with {@link Job#first} (the job's first event) or {@link Job#apply}, in the order given for events
     * of the same job. An event is a <em>duplicate</em> when its job's history (as recorded before, or earlier in this
     * batch) already holds an event of the same status at the same time: it is neither appended nor applied.
     * Returns once the events are durable: committed, or (a store with a journal, such as an H2 file's) in a journal
     * that the store applies before any later read or other write of it sees the store.
     *
     * @param events     the events, each with its time ({@link JobEvent#at()}) set; empty: nothing is done
     * @param receivedAt when the supervisor received them: the events' received time, and a new job's created time
     * @return one result per event, in the order given: {@link RecordResult.Outcome#CREATED} for the event that made a
     *         job the store did not have, {@link RecordResult.Outcome#UPDATED} for any other event applied,
     *         {@link RecordResult.Outcome#DUPLICATE} for a duplicate; each with the job as that event left it
     */
    List<RecordResult> record(List<JobEvent> events, Instant receivedAt);

    /**
     * Keeps {@code progress} as the job's latest progress, unless the progress kept already was updated later than
     * {@code progress.updatedAt()} (reports can overtake each other). A field {@code progress} leaves null keeps its
     * last value. Progress is not an event: the job's history, status and activity time stay as they are.
     *
     * @return the job after it (with the progress kept, whether or not this report changed it), or empty when the job
     *         is unknown (nothing is written)
     */
    Optional<Job> recordProgress(String jobId, JobProgress progress);

    /**
     * The job with its history, read in one transaction so that the two agree.
     *
     * @return the job and every event recorded for it, oldest event time first (events of the same time in the order
     *         they were recorded); empty when the store has no such job
     */
    Optional<JobDetails> details(String jobId);

    /**
     * One page of jobs, newest activity first, that meet every criterion {@code query} sets (see {@link JobQuery}; its
     * filter is a literal substring of the arguments' JSON text: no character in it is a wildcard).
     *
     * @return at most {@code query.limit()} jobs, starting after {@code query.cursor()}; the page's next cursor is
     *         {@link PageCursor#after} its last job when more jobs match, else null
     */
    JobPage query(JobQuery query);

    /**
     * A page of durations of completed jobs (status complete, with the time measured from set: queued for
     * {@link DurationFrom#QUEUED}, last started for {@link DurationFrom#STARTED}) that meet the query's criteria, newest
     * activity first. A duration is the completed time minus that time; it is negative when the clocks disagreed.
     *
     * @return at most {@code query.limit()} durations after {@code query.cursor()}, with the next cursor as in
     *         {@link #query}; a limit of 0 gives an empty page and no cursor
     */
    DurationPage durationPage(DurationQuery query);

    /**
     * Statistics of the durations of every completed job that {@link #durationPage} would list for this query (its
     * limit and cursor are ignored): overall, and per job class (jobs without one under the empty string), most jobs
     * first, ties by class name; a store may list only the first thousand classes. Percentiles are as SQL's
     * {@code percentile_cont} gives them (interpolated); all figures in milliseconds. Count and mean are exact; a store
     * may keep the durations in buckets and answer percentiles and max within a bucket's width (the JDBI store does so
     * for queries without a filter or queue: 1.6 %). No matching job: {@link
     * org.sidekiqsupervisor.model.DurationSummary#EMPTY} overall, and no classes.
     */
    DurationSummaries durationSummaries(DurationQuery query);

    /**
     * How many jobs there are in each status: every {@link JobStatus} is a key, zero included. Also the health check
     * of the store: it reads the database every time (never a copy kept in memory) and throws {@link StoreException}
     * when the database does not answer, so it must be cheap whatever the number of jobs (the JDBI store reads counts
     * it keeps beside the jobs).
     */
    Map<JobStatus, Long> countByStatus();

    /**
     * Compare-and-set of the job's restart claim ({@link Job#restartingTo()}, the jid of the replacement a restart is
     * pushing): sets it to {@code newClaim} if, and only if, it is {@code expectedClaim} now. A null
     * {@code expectedClaim} means the job must be unclaimed; a null {@code newClaim} releases the claim. A non-null
     * {@code newClaim} is set only on a job that is still {@link JobStatus#QUEUED queued} or {@link JobStatus#STARTED
     * started}: claiming an unclaimed job
     * (null to a jid), and taking over a claim (one jid to another), both need it. The check and the change are one
     * atomic step: of several callers swapping the same claim at once, across processes, exactly one succeeds.
     * The store keeps when the claim was set ({@code at}), so that {@link JobQuery#claimedBefore()} finds claims a
     * supervisor left behind; a release forgets it.
     *
     * @param expectedClaim the claim the job must hold now, or null for none
     * @param newClaim      the claim to set, or null to release it; must differ from {@code expectedClaim}
     * @param at            when the claim is set (ignored on a release)
     * @return whether this call changed the claim (false for an unknown job)
     * @throws IllegalArgumentException when the two claims are equal
     */
    boolean swapRestartClaim(String jobId, String expectedClaim, String newClaim, Instant at);

    /**
     * Records one complete look at Sidekiq (contract 5b): for every job whose status is queued or started and whose
     * latest activity is before {@code lookStartedAt} (a job with news since was not looked for), whether the look
     * found it held somewhere ({@code held}). A job held nowhere is <em>missing</em>: the store keeps when the first
     * look of its run of misses began ({@link Job#missingSince()}) and when the latest did. Once the two are at least
     * {@code lostAfter} apart the job is <em>lost</em>: its {@link Job#lostAt()} is set to this look's start, and it is
     * handed to {@code newlyLost}, by exactly one call however many supervisors record looks at once. A job found held
     * forgets all three. Any event applied to a job ({@link #record}) forgets them too. A look that began before the
     * latest look recorded for a job changes nothing of that job. Works in short transactions of a page of jobs each,
     * whatever the number of jobs, so writers are not held up.
     *
     * @param held      whether the look found the job with this id somewhere; called once per job, from this thread
     * @param lostAfter how long a job must have been missing, from the first look that missed it to the latest
     * @param newlyLost told each job this call made lost, as it is now, after its page committed
     * @return how many jobs the look found missing
     */
    int recordLook(Instant lookStartedAt, Predicate<String> held, Duration lostAfter, Consumer<Job> newlyLost);

    /**
     * Finishes a restart once its replacement is on Sidekiq's queue, in one transaction: records {@code queued} as
     * {@link #record} does (the replacement may have reported in already: Sidekiq can start it first), sets the
     * replacement's {@link Job#restarts()} to one more than the original's and its {@link Job#restartedFrom()} to the
     * original's id, and deletes the original with its history, whatever its claim.
     *
     * @param original   the job replaced, as read before its claim
     * @param queued     the replacement's {@code queued} event
     * @param receivedAt the time to record the event as received
     * @return the replacement as recorded, with its restarts counted
     */
    RecordResult completeRestart(Job original, JobEvent queued, Instant receivedAt);

    /**
     * Retention: finished jobs (complete or failed) whose latest activity is before {@code before} go, with their
     * histories; queued and started jobs never do. A dry run counts every job such a prune would delete ({@code limit}
     * is then ignored) and deletes nothing. Otherwise at most {@code limit} of them, oldest activity first, are deleted
     * in one short transaction (so no lock is held for long; the caller calls again for the next batch); an event that
     * arrives meanwhile for one of them waits, then starts a fresh job.
     *
     * @param limit  the most jobs to delete, at least 1 (ignored on a dry run)
     * @param dryRun whether to count only
     * @return how many jobs it deleted (fewer than {@code limit}: none are left), or on a dry run would delete
     */
    long prune(Instant before, int limit, boolean dryRun);

    /**
     * Deletes these jobs with their histories in one transaction, each only if it has not moved on since it was read:
     * it still has the same status at the same time ({@link Job#status()}, {@link Job#statusAt()}), and no restart claim.
     *
     * @param jobs the jobs as the caller read them; empty: nothing is done
     * @return the ids of the jobs deleted, in no particular order (jobs unknown or moved on are left out)
     */
    List<String> delete(List<Job> jobs);

    /**
     * What the supervisor received since {@code since}, in one call because the dashboard's overview shows both. Read
     * from rollups that {@link #record} (and {@link #completeRestart}) write in the same transaction as the events, never
     * from the events or jobs themselves, so its cost grows with the length of the range and the number of job classes,
     * not with how many events the range holds:
     * <ul>
     *   <li>the event counts: every event recorded (a duplicate is not) whose received time
     *       ({@link org.sidekiqsupervisor.model.JobEventRecord#receivedAt()}) is in the minute holding {@code since} or
     *       later, counted per status in buckets of {@code bucket} (a bucket starts at a whole multiple of its length
     *       since the epoch), oldest bucket first and then by status name; buckets with no events are left out;</li>
     *   <li>the class timings: per job class (the empty string for jobs without one), the waits and runs told by the
     *       events received in that span, as {@link org.sidekiqsupervisor.model.JobTimings} defines them (a started event
     *       that became its job's last start tells the wait from queued; a complete event that left its job complete tells
     *       the run from the last start): one figure per such event, in the time bucket of when it was received, not of
     *       the job's own times. They come from histograms per time bucket in the duration buckets of
     *       {@link #durationSummaries}: count and mean are exact, percentiles and max within a histogram bucket's width
     *       (1.6 %). Classes with neither a wait nor a run are left out; the class with the most waits or runs comes
     *       first, ties by class name, at most {@code maxClasses} classes.</li>
     * </ul>
     * What was counted stays counted: deleting or pruning jobs does not take their events back out of these figures;
     * {@link #pruneRollups} is their own retention.
     *
     * <p>Time buckets that ended {@link #SETTLED_AFTER} before {@code now} hold what they will always hold (the
     * rollups are kept by when the supervisor received the events, and the clocks of several supervisors agree within
     * that margin), so the store may keep what it read of them and read only the newer buckets again.
     *
     * @param now        the present, as the supervisor's clock tells it; null: every bucket is read from the store
     * @param bucket     the bucket length: a positive whole number of minutes
     * @param maxClasses the most classes to time, zero or more (zero: no class timings, and the store need not read
     *                   them)
     * @throws IllegalArgumentException when the bucket is not a positive whole number of minutes, or maxClasses is negative
     */
    Activity activity(Instant since, Instant now, Duration bucket, int maxClasses);

    /** {@link #activity(Instant, Instant, Duration, int)} with every bucket read from the store. */
    default Activity activity(Instant since, Duration bucket, int maxClasses) {
        return activity(since, null, bucket, maxClasses);
    }

    /**
     * How long after a time bucket ended {@link #activity(Instant, Instant, Duration, int)} takes it as settled: the
     * most two supervisors' clocks may disagree (events received by one whose clock is behind land in buckets the
     * others see as past).
     */
    Duration SETTLED_AFTER = Duration.ofMinutes(5);

    /**
     * Retention of what {@link #activity} reads: forgets the rollups of every time bucket that ended at or before
     * {@code before}, oldest first, in short transactions (one bucket each) so that writers are not held up, however
     * many there are. Jobs and their histories are left as they are.
     *
     * @return how many time buckets (minutes, hours and days) it forgot
     */
    long pruneRollups(Instant before);

    /**
     * Folds what writers spread over several rows of one key into one row, so that reading them sums fewer rows: what
     * they added and the store has not folded yet (whatever its time), and in the time buckets of what
     * {@link #activity} reads that ended at or before {@code endedBefore}, rows of one key in several shards. What
     * {@link #activity} answers does not change; safe while other writers and folds run on the same store.
     *
     * @return how many rows not folded yet and time buckets (of one table each) it folded; 0 for a store that keeps
     *         neither
     */
    default long foldRollups(Instant endedBefore) {
        return 0;
    }

    /**
     * Appends an entry to the audit log in its own transaction. The stored actor and action are cut to 255 and 64
     * characters, the target to 1000.
     *
     * @param entry the entry; its {@link AuditEntry#id()} is ignored
     * @return the entry as stored, with its id: greater than that of every entry recorded before it in this store
     */
    AuditEntry recordAudit(AuditEntry entry);

    /**
     * A page of the audit log, newest first (descending {@link AuditEntry#id()}).
     *
     * @param limit    the most entries, at least 1
     * @param beforeId only entries with a smaller id (the last id of the previous page), or null from the newest
     * @return the entries, each with its jids in the order recorded
     */
    List<AuditEntry> audit(int limit, Long beforeId);

    /**
     * Events acknowledged and not yet applied to the store: the backlog of a store that answers from a journal (an H2
     * file's), which a read waits for; 0 for a store that answers once it committed.
     */
    default long unappliedEvents() {
        return 0;
    }

    /**
     * How many batches of events are best written at once (the group committer runs this many writers): 1 where the
     * database commits one transaction at a time anyway, more where commits overlap.
     */
    default int concurrentWriters() {
        return 1;
    }

    /**
     * Gives back to the file system the space deleted rows left behind, where the database does not do it by itself:
     * an H2 file store compacts its file for at most about {@code maxTime} (writes wait for it meanwhile); PostgreSQL
     * (autovacuum reuses the space) and H2 in memory do nothing.
     *
     * @return how many bytes the store's file shrank by, or -1 when there is nothing to compact
     */
    default long reclaimSpace(Duration maxTime) {
        return -1;
    }

    /** Releases what the store owns (its connection pool, if it made one). */
    @Override
    void close();
}
