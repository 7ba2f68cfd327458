package org.sidekiqsupervisor.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.sidekiqsupervisor.model.ClassTimings;
import org.sidekiqsupervisor.model.EventCount;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationPage;
import org.sidekiqsupervisor.model.DurationSummaries;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobProgress;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RecordResult;

/**
 * Where jobs and their histories are kept: the storage SPI.
 *
 * <p>A store holds no business rules: it persists what {@link Job#first} and {@link Job#apply} decide, and
 * answers queries through indexes. Implementations are thread-safe, and safe to share between several
 * supervisor processes on one database. Every method may throw {@link StoreException} when the database
 * does not answer; a write that throws recorded nothing.
 */
public interface JobStore extends AutoCloseable {

    /**
     * Records events in one transaction: each is appended to its job's history and folded into the job's
     * current row, in the order given for events of the same job. An event whose job already has the same
     * status at the same time is a duplicate and changes nothing. Every event's {@code at} is set.
     *
     * @param events     the events, each with its time set
     * @param receivedAt when the supervisor received them
     * @return one result per event, in the order given
     */
    List<RecordResult> record(List<JobEvent> events, Instant receivedAt);

    /** The job's current state, or empty if the store has never heard of it. */
    Optional<Job> find(String jobId);

    /** The job with its history, oldest event first; empty if unknown. */
    Optional<JobDetails> details(String jobId);

    /** One page of jobs, newest activity first. */
    JobPage query(JobQuery query);

    /** A page of durations of completed jobs, newest activity first. */
    DurationPage durationPage(DurationQuery query);

    /**
     * Duration statistics over every completed job that matches (the query's limit and cursor are ignored). Count and
     * mean are exact; a store may keep the durations in buckets and answer percentiles and max within a bucket's width
     * (the JDBI store does so for queries without a filter or queue: 1.6 %).
     */
    DurationSummaries durationSummaries(DurationQuery query);

    /**
     * Claims a started job for a restart: marks it as being replaced by {@code newJobId}, unless it is no longer
     * started or another restart already claimed it. Of several supervisors claiming one job, exactly one wins.
     *
     * @return whether this call won the claim
     */
    boolean claimRestart(String jobId, String newJobId);

    /** Gives up a claim made by {@link #claimRestart} (the push to Sidekiq failed). */
    void releaseRestart(String jobId, String newJobId);

    /**
     * Finishes a restart once its replacement is on Sidekiq's queue, in one transaction: records
     * {@code queued} (the replacement, with {@code restarted_from}), counts one more restart for the lineage,
     * and deletes the original job and its history.
     *
     * @return the replacement as recorded
     */
    RecordResult completeRestart(Job original, JobEvent queued, Instant receivedAt);

    /**
     * Deletes at most {@code limit} finished (complete or failed) jobs whose latest activity is before
     * {@code before}, with their histories, in one short transaction.
     *
     * @return how many jobs it deleted; fewer than {@code limit} means none are left
     */
    int pruneBatch(Instant before, int limit);

    /** How many finished jobs a prune with this cutoff would delete. */
    long countPrunable(Instant before);

    /**
     * Deletes these jobs with their history, each only if it has not moved on since it was read (same status
     * at the same time, no restart under way). Runs in one transaction.
     *
     * @return the ids of the jobs deleted
     */
    List<String> delete(List<Job> jobs);

    /**
     * Events received since {@code since}, counted per status in buckets of {@code bucket}, oldest bucket first.
     * Buckets with no events are left out.
     */
    List<EventCount> eventCounts(Instant since, Duration bucket);

    /**
     * Wait and run times per job class over the jobs active since {@code since}, most jobs first, at most
     * {@code maxClasses} classes.
     */
    List<ClassTimings> classTimings(Instant since, int maxClasses);

    /**
     * Keeps {@code progress} as the job's latest progress (fields it leaves null keep their last value), unless a later
     * report is kept already.
     *
     * @return the job after it, or empty when the job is unknown (nothing is written)
     */
    Optional<Job> recordProgress(String jobId, JobProgress progress);

    /** How many jobs there are in each status (every status is a key, zero included). */
    Map<JobStatus, Long> countByStatus();

    /** Checks that the database answers. */
    void ping();

    /**
     * How many batches of events are best written at once (the group committer runs this many writers): 1 where the
     * database commits one transaction at a time anyway, more where commits overlap.
     */
    default int concurrentWriters() {
        return 1;
    }

    /** Releases what the store owns (its connection pool, if it made one). */
    @Override
    void close();
}
