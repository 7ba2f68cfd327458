package org.sidekiqsupervisor.store.jdbi;

import static org.sidekiqsupervisor.store.jdbi.JobRows.JOB_SELECT;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobEventRecord;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.PageCursor;
import org.sidekiqsupervisor.store.StoreSchema;

/** Reads of jobs: one job with its history, pages of jobs, and how many jobs there are in each status. */
final class JobReads {
    /** A filtered query first looks for its page among this many of the newest jobs that meet its other criteria. */
    static final int FILTER_PROBE_ROWS = 1000;

    private final Transactions transactions;
    private final String jobs;
    /** The jobs table as a query for lost jobs names it. */
    private final String lostJobs;
    private final String events;
    private final String counts;
    /** H2's index of the arguments; null on PostgreSQL, which has {@link #argumentsTable}. */
    private final ArgumentsIndex argumentsIndex;
    /** PostgreSQL's table of the arguments under the trigram index; null on H2. */
    private final String argumentsTable;
    /** The jobs table read by number, for the candidates of {@link #argumentsIndex}. */
    private final String candidateJobs;

    JobReads(Transactions transactions, StoreSchema schema, Database database, ArgumentsIndex argumentsIndex) {
        this.transactions = transactions;
        this.jobs = schema.jobsTable();
        // H2 would read the lost jobs through the status or class index, every job of them, rather than through the lost
        // index (it cannot tell how few rows that index holds); PostgreSQL's planner knows, from its statistics.
        this.lostJobs = jobs + (database.postgres() ? "" : " use index (" + schema.tablePrefix() + "jobs_lost)");
        this.events = schema.eventsTable();
        this.counts = schema.countsTable();
        this.argumentsIndex = argumentsIndex;
        this.argumentsTable = database.postgres() ? schema.jobArgumentsTable() : null;
        this.candidateJobs = ArgumentsIndex.candidateJobs(schema);
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#details}. */
    Optional<JobDetails> details(String jobId) {
        return transactions.inTransaction(handle -> handle
                .createQuery("select " + JOB_SELECT + " from " + jobs + " where job_id = :job_id")
                .bind("job_id", jobId).map(JobRows::mapJob).findOne()
                .map(job -> new JobDetails(job, handle.createQuery(
                                "select status, at_us, received_us, error_class, error_message from " + events + " "
                                        + "where job_id = :job_id order by at_us, event_id")
                        .bind("job_id", jobId)
                        .map((rs, ctx) -> new JobEventRecord(JobStatus.fromWireName(rs.getString("status"), "status"),
                                Times.fromMicros(rs.getLong("at_us")), Times.fromMicros(rs.getLong("received_us")),
                                rs.getString("error_class"), rs.getString("error_message")))
                        .list())));
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#query}. */
    JobPage query(JobQuery query) {
        JobConditions where = new JobConditions()
                .equal("status", query.status() == null || query.lostOnly() ? null : query.status().wireName())
                .equal("job_class", query.jobClass())
                .equal("queue", query.queue())
                .activityFrom(query.since(), query.until())
                .startedBefore(query.startedBefore())
                .claimedBefore(query.claimedBefore())
                .lost(query.lostOnly())
                .after(query.cursor());
        String order = JobConditions.newestFirst(query.lostOnly() ? null : query.status() != null ? "status"
                : query.jobClass() != null ? "job_class" : query.queue() != null ? "queue" : null);
        String from = query.lostOnly() ? lostJobs : jobs;
        List<Job> rows = null;
        if (query.filter() != null) {
            // A filter that many jobs match fills its page from the newest thousand jobs: look there first, in
            // activity order, instead of letting the database gather every match (PostgreSQL's trigram index would
            // hand it all million) and sort them: so the probe checks those rows' own arguments, not the index. Only a
            // page it fills is its answer; else the full query below.
            JobConditions newest = new JobConditions().argumentsContain(query.filter());
            String probe = "select " + JOB_SELECT + " from (select " + JOB_SELECT + " from " + from + where.sql() + order
                    + " limit " + FILTER_PROBE_ROWS + ") newest" + newest.sql() + order + " limit :limit";
            List<Job> found = transactions.withHandle(handle -> newest.bindTo(where.bindTo(handle.createQuery(probe)))
                    .bind("limit", query.limit() + 1).map(JobRows::mapJob).list());
            if (found.size() > query.limit()) {
                rows = found;
            }
        }
        if (rows == null && query.filter() != null && argumentsIndex != null) {
            rows = argumentsIndex.candidates(query.filter()).map(seqs -> {
                JobConditions indexed = where.argumentsContain(query.filter()).seqAmong(seqs);
                String sql = "select " + JOB_SELECT + " from " + candidateJobs + indexed.sql() + order + " limit :limit";
                return transactions.withHandle(handle -> indexed.bindTo(handle.createQuery(sql)).bind("limit", query.limit() + 1)
                        .map(JobRows::mapJob).list());
            }).orElse(null);
        }
        if (rows == null) {
            JobConditions all = where.argumentsContain(query.filter(), argumentsTable);
            String sql = "select " + JOB_SELECT + " from " + from + all.sql() + order + " limit :limit";
            rows = transactions.withHandle(handle -> all.bindTo(handle.createQuery(sql))
                    .bind("limit", query.limit() + 1)
                    .map(JobRows::mapJob).list());
        }
        boolean more = rows.size() > query.limit();
        List<Job> shown = more ? rows.subList(0, query.limit()) : rows;
        return new JobPage(shown, more ? PageCursor.after(shown.get(shown.size() - 1)) : null);
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#countByStatus}: read from the counts kept beside the jobs. */
    Map<JobStatus, Long> countByStatus() {
        Map<JobStatus, Long> byStatus = new EnumMap<>(JobStatus.class);
        for (JobStatus status : JobStatus.values()) {
            byStatus.put(status, 0L);
        }
        transactions.withHandle(handle -> handle.createQuery("select status, sum(jobs) as n from " + counts + " group by status")
                .map((rs, ctx) -> byStatus.put(JobStatus.fromWireName(rs.getString("status"), "status"), rs.getLong("n")))
                .list());
        return Collections.unmodifiableMap(byStatus);
    }
}
