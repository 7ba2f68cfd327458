package org.sidekiqsupervisor.store.jdbi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Update;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.StoreSchema;

/**
 * PostgreSQL: everything a batch of events writes, in one statement and so one round trip — the new events, the new and
 * the changed jobs, the arguments that arrived (for the filter's index), the rollups and the aggregates, each table's
 * rows passed as arrays and unnested, in data-modifying {@code WITH} clauses. A batch written as one JDBC batch per table took about ten round trips, each a wake-up of the
 * server and the supervisor on the machines that share their cores.
 *
 * <p>Aggregate rows are added to with {@code INSERT ... ON CONFLICT DO UPDATE} (an atomic add, however many
 * supervisors write at once), in key order, so that two transactions take the rows of one shard in one order. A
 * concurrent transaction that created one of the same jobs first makes the statement fail with a unique violation, and
 * the caller tries the whole transaction again, as on H2. The statement's text does not depend on the batch, so the
 * driver prepares it once per connection.
 */
final class PostgresBatchWrite {
    private final String sql;

    PostgresBatchWrite(StoreSchema schema) {
        String jobs = schema.jobsTable();
        this.sql = "with new_events as (insert into " + schema.eventsTable()
                + " (job_id, status, at_us, received_us, error_class, error_message) "
                + "select * from unnest(:e_job_id::varchar[], :e_status::varchar[], :e_at_us::bigint[], :e_received_us::bigint[], "
                + ":e_error_class::varchar[], :e_error_message::varchar[])), "
                + "new_jobs as (insert into " + jobs + " (" + JobRows.JOB_COLUMNS + ") "
                + "select job_id, job_class, queue, arguments, status, status_us, queued_us, started_us, completed_us, failed_us, "
                + "attempts, error_class, error_message, restarted_from, activity_us, created_us, 0, null, payload, payload_us "
                + "from " + unnestJobs("n") + "), "
                + "changed_jobs as (update " + jobs + " j set job_class = u.job_class, queue = u.queue, arguments = u.arguments, "
                + "status = u.status, status_us = u.status_us, queued_us = u.queued_us, started_us = u.started_us, "
                + "completed_us = u.completed_us, failed_us = u.failed_us, attempts = u.attempts, error_class = u.error_class, "
                + "error_message = u.error_message, restarted_from = u.restarted_from, activity_us = u.activity_us, "
                + "payload = u.payload, payload_us = u.payload_us, "
                // News of the job: what the looks at Sidekiq found before no longer holds (contract 5b).
                + "missing_since_us = null, missing_seen_us = null, lost_us = null "
                + "from " + unnestJobs("c") + " where j.job_id = u.job_id), "
                // Written once per job, when its arguments arrive (V18): the trigram index is not fed again by each update.
                + "new_arguments as (insert into " + schema.jobArgumentsTable() + " (job_id, arguments) "
                + "select * from unnest(:a_job_id::varchar[], :a_arguments::varchar[]) on conflict (job_id) do nothing), "
                // What the batch adds to the rollups, as pending rows (V19), folded into them later (see Rollups).
                + "pending_rollups as (insert into " + schema.pendingRollupsTable() + " (id, bucket_us, job_class, measured, rollup) "
                + "select * from unnest(:p_id::bigint[], :p_bucket_us::bigint[], :p_job_class::varchar[], :p_measured::varchar[], "
                + ":p_rollup::varchar[])), "
                // least() and greatest() ignore NULLs: a row only left by jobs (no least or greatest given) keeps its own.
                + "durations as (insert into " + schema.durationsTable() + " as d (measured_from, job_class, bucket, shard, jobs, "
                + "total_us, min_us, max_us) select measured_from, job_class, bucket, :aggregate_shard, jobs, total_us, min_us, max_us "
                + "from unnest(:d_measured_from::varchar[], :d_job_class::varchar[], :d_bucket::int[], :d_jobs::bigint[], "
                + ":d_total_us::bigint[], :d_min_us::bigint[], :d_max_us::bigint[]) "
                + "as t(measured_from, job_class, bucket, jobs, total_us, min_us, max_us) "
                + "on conflict (measured_from, job_class, bucket, shard) do update set jobs = d.jobs + excluded.jobs, "
                + "total_us = d.total_us + excluded.total_us, min_us = least(d.min_us, excluded.min_us), "
                + "max_us = greatest(d.max_us, excluded.max_us)), "
                + "counts as (update " + schema.countsTable() + " c set jobs = c.jobs + t.delta "
                + "from unnest(:s_status::varchar[], :s_delta::bigint[]) as t(status, delta) "
                + "where c.shard = :aggregate_shard and c.status = t.status) "
                + "select 1";
    }

    /** The jobs of arrays named {@code prefix}_column, unnested as {@code u}, every column an event writes. */
    private static String unnestJobs(String prefix) {
        String p = ":" + prefix + "_";
        return "unnest(" + p + "job_id::varchar[], " + p + "job_class::varchar[], " + p + "queue::varchar[], "
                + p + "arguments::varchar[], " + p + "status::varchar[], " + p + "status_us::bigint[], " + p + "queued_us::bigint[], "
                + p + "started_us::bigint[], " + p + "completed_us::bigint[], " + p + "failed_us::bigint[], " + p + "attempts::int[], "
                + p + "error_class::varchar[], " + p + "error_message::varchar[], " + p + "restarted_from::varchar[], "
                + p + "activity_us::bigint[], " + p + "created_us::bigint[], " + p + "payload::varchar[], " + p + "payload_us::bigint[]) "
                + "as u(job_id, job_class, queue, arguments, status, status_us, queued_us, started_us, completed_us, failed_us, "
                + "attempts, error_class, error_message, restarted_from, activity_us, created_us, payload, payload_us)";
    }

    /**
     * Writes {@code folded}'s events and jobs, then what they add to {@code rollups} (pending rows) and to
     * {@code aggregates} (to shard {@code aggregateShard}).
     */
    void write(Handle handle, EventWriter.Folded folded, Rollups rollups, Aggregates aggregates, int aggregateShard) {
        Update update = handle.createUpdate(sql);
        bindEvents(update, folded.newEvents());
        bindJobs(update, "n", folded.inserted());
        bindJobs(update, "c", folded.updated());
        List<Job> arrived = folded.argumentsArrived();
        update.bindArray("a_job_id", String.class, column(arrived, Job::jobId))
                .bindArray("a_arguments", String.class, column(arrived, Job::arguments));
        bindRollups(update, rollups);
        bindAggregates(update, aggregates);
        update.bind("aggregate_shard", aggregateShard);
        update.execute();
    }

    private static void bindEvents(Update update, List<EventWriter.EventRow> rows) {
        update.bindArray("e_job_id", String.class, column(rows, EventWriter.EventRow::jobId))
                .bindArray("e_status", String.class, column(rows, EventWriter.EventRow::status))
                .bindArray("e_at_us", Long.class, column(rows, EventWriter.EventRow::atUs))
                .bindArray("e_received_us", Long.class, column(rows, EventWriter.EventRow::receivedUs))
                .bindArray("e_error_class", String.class, column(rows, EventWriter.EventRow::errorClass))
                .bindArray("e_error_message", String.class, column(rows, EventWriter.EventRow::errorMessage));
    }

    private static void bindJobs(Update update, String prefix, List<Job> jobs) {
        String p = prefix + "_";
        update.bindArray(p + "job_id", String.class, column(jobs, Job::jobId))
                .bindArray(p + "job_class", String.class, column(jobs, Job::jobClass))
                .bindArray(p + "queue", String.class, column(jobs, Job::queue))
                .bindArray(p + "arguments", String.class, column(jobs, Job::arguments))
                .bindArray(p + "status", String.class, column(jobs, job -> job.status().wireName()))
                .bindArray(p + "status_us", Long.class, column(jobs, job -> Times.toMicros(job.statusAt())))
                .bindArray(p + "queued_us", Long.class, column(jobs, job -> Times.toMicrosOrNull(job.queuedAt())))
                .bindArray(p + "started_us", Long.class, column(jobs, job -> Times.toMicrosOrNull(job.startedAt())))
                .bindArray(p + "completed_us", Long.class, column(jobs, job -> Times.toMicrosOrNull(job.completedAt())))
                .bindArray(p + "failed_us", Long.class, column(jobs, job -> Times.toMicrosOrNull(job.failedAt())))
                .bindArray(p + "attempts", Integer.class, column(jobs, Job::attempts))
                .bindArray(p + "error_class", String.class, column(jobs, Job::errorClass))
                .bindArray(p + "error_message", String.class, column(jobs, Job::errorMessage))
                .bindArray(p + "restarted_from", String.class, column(jobs, Job::restartedFrom))
                .bindArray(p + "activity_us", Long.class, column(jobs, job -> Times.toMicros(job.activityAt())))
                .bindArray(p + "created_us", Long.class, column(jobs, job -> Times.toMicros(job.createdAt())))
                .bindArray(p + "payload", String.class, column(jobs, Job::payload))
                .bindArray(p + "payload_us", Long.class, column(jobs, job -> Times.toMicrosOrNull(job.payloadAt())));
    }

    private static void bindRollups(Update update, Rollups rollups) {
        if (!rollups.timings().isEmpty() || !rollups.events().isEmpty()) {
            throw new IllegalArgumentException("the write path adds to the rollups as pending rows, not to the rollups' own rows");
        }
        List<Rollups.PendingRow> pending = rollups.pendingRows();
        update.bindArray("p_id", Long.class, column(pending, row -> Rollups.pendingId()))
                .bindArray("p_bucket_us", Long.class, column(pending, row -> row.key().minuteUs()))
                .bindArray("p_job_class", String.class, column(pending, row -> row.key().jobClass()))
                .bindArray("p_measured", String.class, column(pending, row -> row.key().measured()))
                .bindArray("p_rollup", String.class, column(pending, Rollups.PendingRow::text));
    }

    private static void bindAggregates(Update update, Aggregates aggregates) {
        List<Aggregates.DurationRow> durations = aggregates.durationRows().stream()
                .filter(row -> row.jobs() != 0 || row.totalUs() != 0).toList();
        update.bindArray("d_measured_from", String.class, column(durations, row -> row.key().from()))
                .bindArray("d_job_class", String.class, column(durations, row -> row.key().jobClass()))
                .bindArray("d_bucket", Integer.class, column(durations, row -> row.key().bucket()))
                .bindArray("d_jobs", Long.class, column(durations, Aggregates.DurationRow::jobs))
                .bindArray("d_total_us", Long.class, column(durations, Aggregates.DurationRow::totalUs))
                .bindArray("d_min_us", Long.class, column(durations, Aggregates.DurationRow::minUs))
                .bindArray("d_max_us", Long.class, column(durations, Aggregates.DurationRow::maxUs));
        List<Map.Entry<JobStatus, Long>> moved = aggregates.moved().entrySet().stream().filter(e -> e.getValue() != 0).toList();
        update.bindArray("s_status", String.class, column(moved, e -> e.getKey().wireName()))
                .bindArray("s_delta", Long.class, column(moved, Map.Entry::getValue));
    }

    /** One column of {@code rows}, NULLs kept (a list, since List.of refuses them). */
    private static <R, V> List<V> column(List<R> rows, java.util.function.Function<R, V> value) {
        List<V> column = new ArrayList<>(rows.size());
        rows.forEach(row -> column.add(value.apply(row)));
        return column;
    }
}
