package org.sidekiqsupervisor.store.jdbi;

import static org.sidekiqsupervisor.store.jdbi.JobRows.JOB_SELECT;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.jdbi.v3.core.Handle;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.StoreSchema;

/**
 * What the looks at Sidekiq found, kept on the jobs (contract 5b): which queued and started jobs are missing, since
 * when, and which are lost. See {@link org.sidekiqsupervisor.store.JobStore#recordLook}.
 */
final class LookMarks {
    /** How many jobs are read, and marked, at a time: one short transaction each. */
    static final int PAGE = 1000;

    private final Transactions transactions;
    private final String jobs;
    /** The jobs table as the read of the previously missing jobs names it (on H2, with the index it must use). */
    private final String missingJobs;

    LookMarks(Transactions transactions, StoreSchema schema, Database database) {
        this.transactions = transactions;
        this.jobs = schema.jobsTable();
        this.missingJobs = jobs + (database.postgres() ? "" : " use index (" + schema.tablePrefix() + "jobs_missing)");
    }

    /** One queued or started job as a look needs it: what the (status, activity, job id) index holds of it. */
    private record Candidate(String jobId, long activityUs) {
    }

    int recordLook(Instant lookStartedAt, Predicate<String> held, Duration lostAfter, Consumer<Job> newlyLost) {
        long startUs = Times.toMicros(lookStartedAt);
        long spanUs = lostAfter.toNanos() / 1000;
        int missing = 0;
        // Every queued or started job the look could have missed, read from the index alone (no row is read): the missing
        // ones are marked, a page at a time.
        for (JobStatus status : List.of(JobStatus.QUEUED, JobStatus.STARTED)) {
            Candidate last = null;
            while (true) {
                List<Candidate> page = candidates(status, startUs, last);
                List<String> missingIds = page.stream().map(Candidate::jobId).filter(held.negate()).toList();
                missing += missingIds.size();
                if (!missingIds.isEmpty()) {
                    transactions.inTransactionWithRetries(handle -> mark(handle, missingIds, startUs, spanUs)).forEach(newlyLost);
                }
                if (page.size() < PAGE) {
                    break;
                }
                last = page.get(page.size() - 1);
            }
        }
        // The jobs missed before (few: read through their own index) that this look found: they are held again.
        String after = "";
        while (true) {
            List<String> page = previouslyMissing(after);
            List<String> foundIds = page.stream().filter(held).toList();
            if (!foundIds.isEmpty()) {
                transactions.inTransactionWithRetries(handle -> clear(handle, foundIds, startUs));
            }
            if (page.size() < PAGE) {
                return missing;
            }
            after = page.get(page.size() - 1);
        }
    }

    /**
     * A page of the jobs of this status whose latest event came before the look began (a job with news since was not
     * looked for), in the order of the (status, activity, job id) index, after {@code last}.
     */
    private List<Candidate> candidates(JobStatus status, long startUs, Candidate last) {
        String sql = "select job_id, activity_us from " + jobs + " where status = :status and activity_us < :start_us"
                + (last == null ? "" : " and activity_us <= :last_us and (activity_us < :last_us or job_id < :last_id)")
                + " order by status, activity_us desc, job_id desc limit " + PAGE;
        return transactions.withHandle(handle -> {
            var query = handle.createQuery(sql).bind("status", status.wireName()).bind("start_us", startUs);
            if (last != null) {
                query.bind("last_us", last.activityUs()).bind("last_id", last.jobId());
            }
            return query.map((rs, ctx) -> new Candidate(rs.getString("job_id"), rs.getLong("activity_us"))).list();
        });
    }

    /** A page, by job id, of the jobs that an earlier look found missing (the missing index holds them alone). */
    private List<String> previouslyMissing(String after) {
        return transactions.withHandle(handle -> handle.createQuery("select job_id from " + missingJobs
                        + " where missing_since_us > 0 and job_id > :after order by job_id limit " + PAGE)
                .bind("after", after).mapTo(String.class).list());
    }

    /** Clears what earlier looks found of these jobs, unless a look that began later than this one saw them missing. */
    private Void clear(Handle handle, List<String> foundIds, long startUs) {
        lock(handle, foundIds);
        handle.createUpdate("update " + jobs + " set missing_since_us = null, missing_seen_us = null, lost_us = null "
                        + "where job_id = any(:ids) and (missing_seen_us is null or missing_seen_us < :start_us)")
                .bindArray("ids", String.class, foundIds).bind("start_us", startUs).execute();
        return null;
    }

    /** Locks the rows in job-id order, as the event writer locks them, so that the two cannot deadlock. */
    private void lock(Handle handle, List<String> ids) {
        handle.createQuery("select job_id from " + jobs + " where job_id = any(:ids) order by job_id for update")
                .bindArray("ids", String.class, ids.stream().sorted().toList()).mapTo(String.class).list();
    }

    /**
     * Marks the missing jobs in one transaction, and makes lost those missing long enough. Every condition is checked
     * again on the locked rows: a job that took an event after the look began, or that a later look (of another
     * supervisor) saw already, is left as it is.
     *
     * @return the jobs this call made lost, as they are now
     */
    private List<Job> mark(Handle handle, List<String> missingIds, long startUs, long spanUs) {
        lock(handle, missingIds);
        handle.createUpdate("update " + jobs + " set missing_since_us = coalesce(missing_since_us, :start_us), "
                        + "missing_seen_us = :start_us where job_id = any(:ids) and status in (:queued, :started) "
                        + "and activity_us < :start_us and (missing_seen_us is null or missing_seen_us < :start_us)")
                .bindArray("ids", String.class, missingIds).bind("start_us", startUs)
                .bind("queued", JobStatus.QUEUED.wireName()).bind("started", JobStatus.STARTED.wireName()).execute();
        List<String> lost = handle.createQuery("select job_id from " + jobs + " where job_id = any(:ids) and lost_us is null "
                        + "and status in (:queued, :started) and missing_seen_us = :start_us "
                        + "and missing_seen_us - missing_since_us >= :span_us")
                .bindArray("ids", String.class, missingIds).bind("start_us", startUs).bind("span_us", spanUs)
                .bind("queued", JobStatus.QUEUED.wireName()).bind("started", JobStatus.STARTED.wireName())
                .mapTo(String.class).list();
        if (lost.isEmpty()) {
            return List.of();
        }
        handle.createUpdate("update " + jobs + " set lost_us = :start_us where job_id = any(:ids)")
                .bindArray("ids", String.class, lost).bind("start_us", startUs).execute();
        return handle.createQuery("select " + JOB_SELECT + " from " + jobs + " where job_id = any(:ids)")
                .bindArray("ids", String.class, lost).map(JobRows::mapJob).list();
    }
}
