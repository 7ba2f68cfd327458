package org.sidekiqsupervisor.store.jdbi;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jdbi.v3.core.Handle;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.StoreSchema;

/**
 * Deletions of jobs with their histories: retention (prune), deletes of jobs as they were read, and the original of a
 * restart. Each takes the deleted jobs out of the aggregates kept beside them in the same transaction.
 */
final class JobDeletions {
    /** What a deleted job's share of the aggregates is read from. */
    private static final String AGGREGATED_COLUMNS = "job_id, status, job_class, queued_us, started_us, completed_us";

    private final Transactions transactions;
    private final String jobs;
    private final String events;
    private final String counts;
    private final String durations;
    /** H2's index of the arguments, whose documents for a job go with it; null on PostgreSQL. */
    private final ArgumentsIndex argumentsIndex;

    JobDeletions(Transactions transactions, StoreSchema schema, ArgumentsIndex argumentsIndex) {
        this.transactions = transactions;
        this.jobs = schema.jobsTable();
        this.events = schema.eventsTable();
        this.counts = schema.countsTable();
        this.durations = schema.durationsTable();
        this.argumentsIndex = argumentsIndex;
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#prune}. */
    long prune(Instant before, int limit, boolean dryRun) {
        return dryRun ? countPrunable(before) : pruneBatch(before, limit);
    }

    private long countPrunable(Instant before) {
        return transactions.withHandle(handle -> handle.createQuery("select count(*) from " + jobs
                        + " where status in (:complete, :failed) and activity_us < :before")
                .bind("complete", JobStatus.COMPLETE.wireName()).bind("failed", JobStatus.FAILED.wireName())
                .bind("before", Times.toMicros(before)).mapTo(Long.class).one());
    }

    private int pruneBatch(Instant before, int limit) {
        return transactions.inTransactionWithRetries(handle -> {
            // Lock the batch first: an event arriving for one of these jobs waits for the delete, then starts afresh.
            Aggregates aggregates = new Aggregates();
            List<String> ids = handle.createQuery("select " + AGGREGATED_COLUMNS + " from " + jobs
                            + " where status in (:complete, :failed) and activity_us < :before order by activity_us limit :limit for update")
                    .bind("complete", JobStatus.COMPLETE.wireName()).bind("failed", JobStatus.FAILED.wireName())
                    .bind("before", Times.toMicros(before)).bind("limit", limit)
                    .map((rs, ctx) -> leave(rs, aggregates)).list();
            if (ids.isEmpty()) {
                return 0;
            }
            deleteDocuments(handle, ids);
            handle.createUpdate("delete from " + events + " where job_id = any(:ids)").bindArray("ids", String.class, ids).execute();
            int deleted = handle.createUpdate("delete from " + jobs + " where job_id = any(:ids)").bindArray("ids", String.class, ids).execute();
            aggregates.write(handle, counts, durations);
            return deleted;
        });
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#delete}. */
    List<String> delete(List<Job> snapshot) {
        if (snapshot.isEmpty()) {
            return List.of();
        }
        Map<String, Job> byId = new HashMap<>();
        snapshot.forEach(job -> byId.put(job.jobId(), job));
        return transactions.inTransactionWithRetries(handle -> {
            // Lock the rows, then keep only those still as they were read: a job that took an event since is not
            // what the person deleting it saw. The same read gives each kept job's share of the aggregates.
            Aggregates aggregates = new Aggregates();
            List<String> unchanged = handle.createQuery("select " + AGGREGATED_COLUMNS + ", status_us, restarting_to from "
                            + jobs + " where job_id = any(:ids) order by job_id for update")
                    .bindArray("ids", String.class, List.copyOf(byId.keySet()))
                    .map((rs, ctx) -> {
                        Job seen = byId.get(rs.getString("job_id"));
                        boolean same = rs.getString("restarting_to") == null
                                && seen.status().wireName().equals(rs.getString("status"))
                                && Times.toMicros(seen.statusAt()) == rs.getLong("status_us");
                        return same ? leave(rs, aggregates) : null;
                    })
                    .list().stream().filter(id -> id != null).toList();
            if (unchanged.isEmpty()) {
                return List.<String>of();
            }
            deleteDocuments(handle, unchanged);
            handle.createUpdate("delete from " + events + " where job_id = any(:ids)").bindArray("ids", String.class, unchanged).execute();
            handle.createUpdate("delete from " + jobs + " where job_id = any(:ids)").bindArray("ids", String.class, unchanged).execute();
            aggregates.write(handle, counts, durations);
            return unchanged;
        });
    }

    /**
     * Within the caller's transaction, deletes the job {@code jobId} (locked here) with its history, telling
     * {@code aggregates} that it goes; the caller writes the aggregates.
     */
    void deleteWithin(Handle handle, String jobId, Aggregates aggregates) {
        handle.createQuery("select " + AGGREGATED_COLUMNS + " from " + jobs + " where job_id = any(:ids) order by job_id for update")
                .bindArray("ids", String.class, List.of(jobId)).map((rs, ctx) -> leave(rs, aggregates)).list();
        deleteDocuments(handle, List.of(jobId));
        handle.createUpdate("delete from " + events + " where job_id = :job_id").bind("job_id", jobId).execute();
        handle.createUpdate("delete from " + jobs + " where job_id = :job_id").bind("job_id", jobId).execute();
    }

    /** Deletes the arguments index's documents of the jobs {@code jobIds} once the transaction deleting them commits. */
    private void deleteDocuments(Handle handle, List<String> jobIds) {
        if (argumentsIndex != null) {
            long[] seqs = handle.createQuery("select seq from " + jobs + " where job_id = any(:ids)").bindArray("ids", String.class, jobIds)
                    .mapTo(Long.class).stream().mapToLong(Long::longValue).toArray();
            handle.afterCommit(() -> argumentsIndex.delete(seqs));
        }
    }

    /** Tells {@code aggregates} that the job in this row (with {@link #AGGREGATED_COLUMNS}) goes; returns its id. */
    private static String leave(ResultSet rs, Aggregates aggregates) throws SQLException {
        aggregates.leave(JobStatus.fromWireName(rs.getString("status"), "status"), rs.getString("job_class"),
                JobRows.nullableLong(rs, "queued_us"), JobRows.nullableLong(rs, "started_us"),
                JobRows.nullableLong(rs, "completed_us"));
        return rs.getString("job_id");
    }
}
