package org.sidekiqsupervisor.store.jdbi;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.ClassTimings;
import org.sidekiqsupervisor.model.EventCount;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.StoreSchema;

/** The dashboard's statistics of recent activity: events received per time bucket, and wait and run times per class. */
final class ActivityStatistics {
    private final Transactions transactions;
    private final String jobs;
    private final String events;

    ActivityStatistics(Transactions transactions, StoreSchema schema) {
        this.transactions = transactions;
        this.jobs = schema.jobsTable();
        this.events = schema.eventsTable();
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#activity}: both reads on one connection. */
    Activity activity(Instant since, Duration bucket, int maxClasses) {
        long bucketUs = Times.toMicros(Instant.EPOCH.plus(bucket));
        if (bucketUs <= 0) {
            throw new IllegalArgumentException("bucket must be positive");
        }
        if (maxClasses < 0) {
            throw new IllegalArgumentException("maxClasses must be zero or more");
        }
        // The bucket length is a number computed here, never text from a request.
        String eventCountsSql = "select bucket, status, count(*) as n from (select received_us / " + bucketUs + " as bucket, status from "
                + events + " where received_us >= :since_us) e group by bucket, status order by bucket, status";
        // percentile_cont and the other aggregates skip nulls: each figure covers the jobs that have its two times.
        // BIGINT microseconds, as in the duration summaries (H2's percentile_cont fails on some DOUBLE values).
        String times = "(select job_class, "
                + "case when queued_us is not null and started_us >= queued_us then started_us - queued_us end as wait, "
                + "case when status = :complete and started_us is not null then completed_us - started_us end as run "
                + "from " + jobs + " where activity_us >= :since_us) t";
        String classTimingsSql = "select job_class, count(*) as jobs, " + statistics("wait") + ", " + statistics("run") + " from "
                + times + " group by job_class order by count(*) desc, job_class limit :max_classes";
        return transactions.withHandle(handle -> {
            List<EventCount> eventCounts = handle.createQuery(eventCountsSql)
                    .bind("since_us", Times.toMicros(since))
                    .map((rs, ctx) -> new EventCount(Times.fromMicros(rs.getLong("bucket") * bucketUs),
                            JobStatus.fromWireName(rs.getString("status"), "status"), rs.getLong("n")))
                    .list();
            // No classes asked for: the scan of the jobs is not needed.
            List<ClassTimings> classTimings = maxClasses == 0 ? List.of() : handle.createQuery(classTimingsSql)
                    .bind("complete", JobStatus.COMPLETE.wireName())
                    .bind("since_us", Times.toMicros(since))
                    .bind("max_classes", maxClasses)
                    .map((rs, ctx) -> {
                        String jobClass = rs.getString("job_class");
                        return new ClassTimings(jobClass == null ? "" : jobClass, JobRows.durationSummary(rs, "wait_"),
                                JobRows.durationSummary(rs, "run_"));
                    })
                    .list();
            return new Activity(eventCounts, classTimings);
        });
    }

    /** The count, mean, max and percentiles of {@code column}, as columns named after it ({@code wait_n}, ...). */
    private static String statistics(String column) {
        return "count(" + column + ") as " + column + "_n, avg(" + column + ") as " + column + "_mean_us, max(" + column + ") as "
                + column + "_max_us, "
                + "percentile_cont(0.5) within group (order by " + column + ") as " + column + "_p50_us, "
                + "percentile_cont(0.95) within group (order by " + column + ") as " + column + "_p95_us, "
                + "percentile_cont(0.99) within group (order by " + column + ") as " + column + "_p99_us";
    }
}
