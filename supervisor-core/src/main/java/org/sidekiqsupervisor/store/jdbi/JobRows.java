package org.sidekiqsupervisor.store.jdbi;

import java.sql.ResultSet;
import java.sql.SQLException;

import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.DurationSummary;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobProgress;
import org.sidekiqsupervisor.model.JobStatus;

/** A job as a row of the jobs table and back, and the other figures the store reads from rows. */
final class JobRows {
    /** The columns a job is written to. */
    static final String JOB_COLUMNS = "job_id, job_class, queue, arguments, status, status_us, queued_us, started_us, "
            + "completed_us, failed_us, attempts, error_class, error_message, restarted_from, activity_us, created_us, restarts, "
            + "restarting_to, payload, payload_us";

    /** What every read of a job selects: its columns, the progress it reported, and what the looks at Sidekiq found. */
    static final String JOB_SELECT = JOB_COLUMNS + ", progress_at, progress_total, progress_message, progress_us, "
            + "missing_since_us, lost_us";

    private JobRows() {
    }

    /** The job in a row that has the columns of {@link #JOB_SELECT}. */
    static Job mapJob(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Job(rs.getString("job_id"), rs.getString("job_class"), rs.getString("queue"), rs.getString("arguments"),
                JobStatus.fromWireName(rs.getString("status"), "status"), Times.fromMicros(rs.getLong("status_us")),
                Times.fromMicros(nullableLong(rs, "queued_us")), Times.fromMicros(nullableLong(rs, "started_us")),
                Times.fromMicros(nullableLong(rs, "completed_us")), Times.fromMicros(nullableLong(rs, "failed_us")),
                rs.getInt("attempts"), rs.getString("error_class"), rs.getString("error_message"),
                rs.getString("restarted_from"), Times.fromMicros(rs.getLong("activity_us")),
                Times.fromMicros(rs.getLong("created_us")), rs.getInt("restarts"), rs.getString("restarting_to"), progress(rs),
                rs.getString("payload"), Times.fromMicros(nullableLong(rs, "payload_us")),
                Times.fromMicros(nullableLong(rs, "missing_since_us")), Times.fromMicros(nullableLong(rs, "lost_us")));
    }

    private static JobProgress progress(ResultSet rs) throws SQLException {
        Long updated = nullableLong(rs, "progress_us");
        return updated == null ? null : new JobProgress(nullableLong(rs, "progress_at"), nullableLong(rs, "progress_total"),
                rs.getString("progress_message"), Times.fromMicros(updated));
    }

    /**
     * Binds what an event changes of {@code job} to the named parameters of {@code statement} (every column of
     * {@link #JOB_COLUMNS} but the restart's and the progress's, which events leave alone).
     */
    static PreparedBatch bindJob(PreparedBatch statement, Job job) {
        return statement.bind("job_id", job.jobId()).bind("job_class", job.jobClass()).bind("queue", job.queue())
                .bind("arguments", job.arguments()).bind("status", job.status().wireName())
                .bind("status_us", Times.toMicros(job.statusAt()))
                .bind("queued_us", Times.toMicrosOrNull(job.queuedAt()))
                .bind("started_us", Times.toMicrosOrNull(job.startedAt()))
                .bind("completed_us", Times.toMicrosOrNull(job.completedAt()))
                .bind("failed_us", Times.toMicrosOrNull(job.failedAt()))
                .bind("attempts", job.attempts())
                .bind("error_class", job.errorClass()).bind("error_message", job.errorMessage())
                .bind("restarted_from", job.restartedFrom())
                .bind("activity_us", Times.toMicros(job.activityAt()))
                .bind("created_us", Times.toMicros(job.createdAt()))
                .bind("payload", job.payload()).bind("payload_us", Times.toMicrosOrNull(job.payloadAt()));
    }

    /**
     * The duration statistics in a row whose columns {@code prefix} + {@code n}, {@code mean_us}, {@code p50_us},
     * {@code p95_us}, {@code p99_us} and {@code max_us} hold them in microseconds; in milliseconds, as
     * {@link DurationSummary} reports them.
     */
    static DurationSummary durationSummary(ResultSet rs, String prefix) throws SQLException {
        long count = rs.getLong(prefix + "n");
        if (count == 0) {
            return DurationSummary.EMPTY;
        }
        return new DurationSummary(count, rs.getDouble(prefix + "mean_us") / 1000.0, rs.getDouble(prefix + "p50_us") / 1000.0,
                rs.getDouble(prefix + "p95_us") / 1000.0, rs.getDouble(prefix + "p99_us") / 1000.0,
                rs.getDouble(prefix + "max_us") / 1000.0);
    }

    /** The column's value, or null where it is NULL. */
    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }
}
