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

    LookMarks(Transactions transactions, StoreSchema schema) {
        this.transactions = transactions;
        this.jobs = schema.jobsTable();
    }

    /** One queued or started job as a look needs it. */
    private record Candidate(String jobId, long activityUs, boolean missing) {
    }

    int recordLook(Instant lookStartedAt, Predicate<String> held, Duration lostAfter, Consumer<Job> newlyLost) {
        long startUs = Times.toMicros(lookStartedAt);
        long spanUs = lostAfter.toNanos() / 1000;
        int missing = 0;
        for (JobStatus status : List.of(JobStatus.QUEUED, JobStatus.STARTED)) {
            Candidate last = null;
            while (true) {
                List<Candidate> page = candidates(status, startUs, last);
                List<String> missingIds = new ArrayList<>();
                List<String> foundIds = new ArrayList<>();
                for (Candidate candidate : page) {
                    if (!held.test(candidate.jobId())) {
                        missingIds.add(candidate.jobId());
                    } else if (candidate.missing()) {
                        foundIds.add(candidate.jobId());
                    }
                }
                missing += missingIds.size();
                if (!missingIds.isEmpty() || !foundIds.isEmpty()) {
                    transactions.inTransactionWithRetries(handle -> mark(handle, missingIds, foundIds, startUs, spanUs))
                            .forEach(newlyLost);
                }
                if (page.size() < PAGE) {
                    break;
                }
                last = page.get(page.size() - 1);
            }
        }
        return missing;
    }

    /**
     * A page of the jobs of this status whose latest event came before the look began (a job with news since was not
     * looked for), in the order of the (status, activity, job id) index, after {@code last}.
     */
    private List<Candidate> candidates(JobStatus status, long startUs, Candidate last) {
        String sql = "select job_id, activity_us, missing_since_us from " + jobs + " where status = :status and activity_us < :start_us"
                + (last == null ? "" : " and activity_us <= :last_us and (activity_us < :last_us or job_id < :last_id)")
                + " order by status, activity_us desc, job_id desc limit " + PAGE;
        return transactions.withHandle(handle -> {
            var query = handle.createQuery(sql).bind("status", status.wireName()).bind("start_us", startUs);
            if (last != null) {
                query.bind("last_us", last.activityUs()).bind("last_id", last.jobId());
            }
            return query.map((rs, ctx) -> new Candidate(rs.getString("job_id"), rs.getLong("activity_us"),
                    JobRows.nullableLong(rs, "missing_since_us") != null)).list();
        });
    }

    /**
     * Marks the missing jobs (and clears the found ones) in one transaction, and makes lost those missing long enough.
     * Every condition is checked again on the locked rows: a job that took an event after the look began, or that a
     * later look (of another supervisor) saw already, is left as it is.
     *
     * @return the jobs this call made lost, as they are now
     */
    private List<Job> mark(Handle handle, List<String> missingIds, List<String> foundIds, long startUs, long spanUs) {
        List<String> ids = new ArrayList<>(missingIds);
        ids.addAll(foundIds);
        // Locked in job-id order, as the event writer locks them, so that the two cannot deadlock.
        handle.createQuery("select job_id from " + jobs + " where job_id = any(:ids) order by job_id for update")
                .bindArray("ids", String.class, ids.stream().sorted().toList()).mapTo(String.class).list();
        if (!foundIds.isEmpty()) {
            handle.createUpdate("update " + jobs + " set missing_since_us = null, missing_seen_us = null, lost_us = null "
                            + "where job_id = any(:ids) and (missing_seen_us is null or missing_seen_us < :start_us)")
                    .bindArray("ids", String.class, foundIds).bind("start_us", startUs).execute();
        }
        if (missingIds.isEmpty()) {
            return List.of();
        }
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
