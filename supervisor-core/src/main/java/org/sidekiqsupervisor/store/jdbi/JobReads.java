package org.sidekiqsupervisor.store.jdbi;

import static org.sidekiqsupervisor.store.jdbi.JobRows.JOB_SELECT;

import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

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
    /**
     * The most rows a second look among the newest jobs reads, for a filter the first found some matches for but not a
     * page: sized from the rate it found them at.
     */
    static final int WIDER_PROBE_ROWS = 20_000;

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
            List<Job> found = probe(query, from, where, order, FILTER_PROBE_ROWS);
            // A needle some of them hold, but too few for a page (for a page of 50, 6 to 50 of the thousand): the newest
            // rows that hold a page at that rate, twice over, are fewer than the rows the index would give (at 10M jobs, for
            // a needle 1.1 % of the jobs hold, 110,000 to check and sort: 466 ms on PostgreSQL).
            int wider = found.isEmpty() ? 0 : (int) Math.min(Integer.MAX_VALUE,
                    2L * (query.limit() + 1) * FILTER_PROBE_ROWS / found.size());
            if (found.size() <= query.limit() && wider > FILTER_PROBE_ROWS && wider <= WIDER_PROBE_ROWS) {
                found = probe(query, from, where, order, wider);
            }
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
            List<String> rareRuns = argumentsTable == null || query.filter() == null ? List.of()
                    : rareRuns(query.filter(), from, where, order);
            JobConditions all = where.argumentsContain(query.filter(), argumentsTable, rareRuns);
            String sql = "select " + JOB_SELECT + " from " + from + all.sql() + order + " limit :limit";
            rows = transactions.withHandle(handle -> all.bindTo(handle.createQuery(sql))
                    .bind("limit", query.limit() + 1)
                    .map(JobRows::mapJob).list());
        }
        boolean more = rows.size() > query.limit();
        List<Job> shown = more ? rows.subList(0, query.limit()) : rows;
        return new JobPage(shown, more ? PageCursor.after(shown.get(shown.size() - 1)) : null);
    }

    /**
     * The first {@code limit + 1} jobs (in {@code order}) among the newest {@code rows} meeting {@code where} whose
     * arguments hold the query's filter: when that many are found, they are the page, whatever older jobs hold.
     */
    private List<Job> probe(JobQuery query, String from, JobConditions where, String order, int rows) {
        JobConditions newest = new JobConditions().argumentsContain(query.filter());
        String probe = "select " + JOB_SELECT + " from (select " + JOB_SELECT + " from " + from + where.sql() + order
                + " limit " + rows + ") newest" + newest.sql() + order + " limit :limit";
        return transactions.withHandle(handle -> newest.bindTo(where.bindTo(handle.createQuery(probe)))
                .bind("limit", query.limit() + 1).map(JobRows::mapJob).list());
    }

    /**
     * Up to {@value #RARE_RUNS} runs of {@code needle} ({@link JobConditions#trigramRuns}) that at most 1 % of the newest
     * {@value #FILTER_PROBE_ROWS} jobs meeting the other criteria hold, the rarest first; none when no run is that rare,
     * and the query asks the index for the whole needle as before (for a needle many jobs hold the planner then walks
     * the newest jobs and checks each). PostgreSQL keeps no figures of how many rows hold a trigram that a query could
     * read, so the newest jobs are the sample: the same rows the probe just read (counted in lower case, as the index
     * keeps its trigrams).
     */
    private List<String> rareRuns(String needle, String from, JobConditions where, String order) {
        List<String> runs = JobConditions.trigramRuns(needle);
        if (runs.isEmpty()) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("select count(*) as sampled");
        for (int i = 0; i < runs.size(); i++) {
            sql.append(", sum(case when a like :run_").append(i).append(" then 1 else 0 end) as run_").append(i);
        }
        sql.append(" from (select lower(arguments) as a from ").append(from).append(where.sql()).append(order)
                .append(" limit ").append(FILTER_PROBE_ROWS).append(") newest");
        long[] held = new long[runs.size() + 1];
        transactions.withHandle(handle -> {
            var read = where.bindTo(handle.createQuery(sql.toString()));
            for (int i = 0; i < runs.size(); i++) {
                read.bind("run_" + i, "%" + runs.get(i).toLowerCase(Locale.ROOT) + "%");
            }
            return read.map((rs, ctx) -> {
                held[0] = rs.getLong("sampled");
                for (int i = 0; i < runs.size(); i++) {
                    held[i + 1] = rs.getLong("run_" + i);
                }
                return held;
            }).one();
        });
        long rare = held[0] / 100;
        // Only rare runs: the index reads the whole list of each run it is asked for.
        return IntStream.range(0, runs.size()).boxed()
                .filter(i -> held[0] > 0 && held[i + 1] <= rare)
                .sorted(Comparator.comparingLong(i -> held[i + 1]))
                .limit(RARE_RUNS).map(runs::get).toList();
    }

    /** How many of a needle's rare runs the trigram index is asked for: enough that few candidates come back. */
    static final int RARE_RUNS = 3;

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
