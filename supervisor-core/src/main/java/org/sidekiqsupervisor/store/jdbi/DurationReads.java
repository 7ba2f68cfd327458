package org.sidekiqsupervisor.store.jdbi;

import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jdbi.v3.core.statement.Query;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.DurationPage;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationSummaries;
import org.sidekiqsupervisor.model.DurationSummary;
import org.sidekiqsupervisor.model.JobDuration;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.PageCursor;
import org.sidekiqsupervisor.store.StoreSchema;

/** Reads of the durations of completed jobs: pages of them, and their statistics. */
final class DurationReads {
    /** At most this many job classes are summarised in a duration report. */
    static final int MAX_CLASSES = 1000;

    private final Transactions transactions;
    private final String jobs;
    private final String durations;
    /** H2's index of the arguments filter; null on PostgreSQL, which has {@link #argumentsTable}. */
    private final ArgumentsIndex argumentsIndex;
    /** PostgreSQL's table of the arguments under the trigram index; null on H2. */
    private final String argumentsTable;
    /** The jobs table read by number, for the candidates of {@link #argumentsIndex}. */
    private final String candidateJobs;

    DurationReads(Transactions transactions, StoreSchema schema, Database database, ArgumentsIndex argumentsIndex) {
        this.transactions = transactions;
        this.jobs = schema.jobsTable();
        this.durations = schema.durationsTable();
        this.argumentsIndex = argumentsIndex;
        this.argumentsTable = database.postgres() ? schema.jobArgumentsTable() : null;
        this.candidateJobs = ArgumentsIndex.candidateJobs(schema);
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#durationPage}. */
    DurationPage durationPage(DurationQuery query) {
        if (query.limit() == 0) {
            return new DurationPage(List.of(), null);
        }
        String start = startColumn(query);
        long[] candidates = candidates(query);
        JobConditions where = completedWith(query, candidates).after(query.cursor());
        String sql = "select job_id, job_class, queue, activity_us, (completed_us - " + start + ") as duration_us "
                + "from " + (candidates == null ? jobs : candidateJobs) + where.sql() + JobConditions.newestFirst("status")
                + " limit :limit";
        List<DurationRow> rows = transactions.withHandle(handle -> where.bindTo(handle.createQuery(sql))
                .bind("limit", query.limit() + 1)
                .map((rs, ctx) -> new DurationRow(new JobDuration(rs.getString("job_id"), rs.getString("job_class"),
                        rs.getString("queue"), Duration.ofNanos(Math.multiplyExact(rs.getLong("duration_us"), 1000L))),
                        new PageCursor(Times.fromMicros(rs.getLong("activity_us")), rs.getString("job_id"))))
                .list());
        boolean more = rows.size() > query.limit();
        List<DurationRow> shown = more ? rows.subList(0, query.limit()) : rows;
        return new DurationPage(shown.stream().map(DurationRow::duration).toList(),
                more ? shown.get(shown.size() - 1).cursor() : null);
    }

    /**
     * Summaries over every complete job, or one class, come from the duration buckets kept beside the jobs (a read of
     * at most a few thousand rows per class, whatever the number of jobs; percentiles within a bucket's width, 1.6 %).
     * A filter on the arguments or the queue is not in the buckets: those summaries scan the matching jobs, exactly.
     */
    DurationSummaries durationSummaries(DurationQuery query) {
        return query.filter() == null && query.queue() == null ? summariesFromBuckets(query) : scannedSummaries(query);
    }

    private DurationSummaries summariesFromBuckets(DurationQuery query) {
        String sql = "select job_class, bucket, sum(jobs) as n, sum(total_us) as total_us, min(min_us) as min_us, "
                + "max(max_us) as max_us from " + durations + " where measured_from = :measured_from"
                + (query.jobClass() == null ? "" : " and job_class = :job_class") + " group by job_class, bucket";
        Map<String, DurationHistogram> histograms = new HashMap<>();
        transactions.withHandle(handle -> {
            Query read = handle.createQuery(sql).bind("measured_from", Aggregates.fromKey(query.from()));
            if (query.jobClass() != null) {
                read.bind("job_class", query.jobClass());
            }
            read.map((rs, ctx) -> histograms.computeIfAbsent(rs.getString("job_class"), k -> new DurationHistogram())
                    .add(rs.getInt("bucket"), rs.getLong("n"), rs.getLong("total_us"), JobRows.nullableLong(rs, "min_us"),
                            JobRows.nullableLong(rs, "max_us"))).list();
            return null;
        });
        DurationHistogram all = new DurationHistogram();
        histograms.values().forEach(all::addAll);
        Map<String, DurationSummary> byClass = new LinkedHashMap<>();
        histograms.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue().summary()))
                .filter(e -> e.getValue().count() > 0)
                .sorted(Map.Entry.<String, DurationSummary>comparingByValue(
                        Comparator.comparingLong(DurationSummary::count).reversed()).thenComparing(Map.Entry.comparingByKey()))
                .limit(MAX_CLASSES)
                .forEach(e -> byClass.put(e.getKey(), e.getValue()));
        return new DurationSummaries(all.summary(), Collections.unmodifiableMap(byClass));
    }

    private DurationSummaries scannedSummaries(DurationQuery query) {
        long[] candidates = candidates(query);
        JobConditions where = completedWith(query, candidates);
        String statistics = "count(*) as n, avg(d) as mean_us, max(d) as max_us, "
                + "percentile_cont(0.5) within group (order by d) as p50_us, "
                + "percentile_cont(0.95) within group (order by d) as p95_us, "
                + "percentile_cont(0.99) within group (order by d) as p99_us";
        // Microseconds as BIGINT, not DOUBLE: H2's percentile_cont fails on some sets of DOUBLE values ("scale -2").
        String durations = "(select job_class, completed_us - " + startColumn(query) + " as d "
                + "from " + (candidates == null ? jobs : candidateJobs) + where.sql() + ") durations";
        String overallSql = "select " + statistics + " from " + durations;
        String byClassSql = "select job_class, " + statistics + " from " + durations
                + " group by job_class order by count(*) desc, job_class limit " + MAX_CLASSES;
        return transactions.inTransaction(handle -> {
            DurationSummary overall = where.bindTo(handle.createQuery(overallSql))
                    .map((rs, ctx) -> JobRows.durationSummary(rs, "")).one();
            Map<String, DurationSummary> byClass = new LinkedHashMap<>();
            where.bindTo(handle.createQuery(byClassSql)).map((rs, ctx) -> {
                String jobClass = rs.getString("job_class");
                byClass.put(jobClass == null ? "" : jobClass, JobRows.durationSummary(rs, ""));
                return jobClass;
            }).list();
            return new DurationSummaries(overall, Collections.unmodifiableMap(byClass));
        });
    }

    private static String startColumn(DurationQuery query) {
        return query.from() == DurationFrom.QUEUED ? "queued_us" : "started_us";
    }

    /** The completed jobs the query asks about; among the numbered {@code candidates} only, unless that is null. */
    private JobConditions completedWith(DurationQuery query, long[] candidates) {
        JobConditions where = new JobConditions()
                .equal("status", JobStatus.COMPLETE.wireName())
                .notNull(startColumn(query))
                .equal("job_class", query.jobClass())
                .equal("queue", query.queue())
                .argumentsContain(query.filter(), argumentsTable);
        return candidates == null ? where : where.seqAmong(candidates);
    }

    /** On H2, the jobs whose arguments may hold the query's filter, where its index narrows them; else null. */
    private long[] candidates(DurationQuery query) {
        return argumentsIndex == null || query.filter() == null ? null : argumentsIndex.candidates(query.filter()).orElse(null);
    }

    /** One row of a duration page: the figure shown, and where the next page starts if it is the last shown. */
    private record DurationRow(JobDuration duration, PageCursor cursor) {
    }
}
