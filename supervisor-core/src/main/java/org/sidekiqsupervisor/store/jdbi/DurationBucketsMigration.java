package org.sidekiqsupervisor.store.jdbi;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;

import org.flywaydb.core.api.migration.Context;
import org.sidekiqsupervisor.model.JobStatus;

/**
 * V7: the durations of complete jobs per class in {@link DurationHistogram} buckets, kept up to date in the same
 * transaction as every change of a job (see {@link Aggregates}), so that a summary of millions of jobs reads a few
 * thousand rows. Java, not SQL, because the buckets already recorded are filled in by the same bucket function the
 * write path uses: the complete jobs are streamed once and folded in memory (one entry per class and bucket).
 */
final class DurationBucketsMigration extends PrefixedJavaMigration {
    DurationBucketsMigration(String prefix) {
        super(prefix, 7, "job durations");
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection connection = context.getConnection();
        String table = prefix + "job_durations";
        try (Statement ddl = connection.createStatement()) {
            // Per shard, as the counts: a transaction adds its change to one shard picked at random. min_us and
            // max_us are the least and greatest duration ever put in the row (a bound once those jobs are deleted).
            ddl.execute("create table " + table + " ("
                    + "measured_from varchar(8) not null, "
                    + "job_class varchar(255) not null, "
                    + "bucket integer not null, "
                    + "shard integer not null, "
                    + "jobs bigint not null, "
                    + "total_us bigint not null, "
                    + "min_us bigint, "
                    + "max_us bigint, "
                    + "constraint " + table + "_pk primary key (measured_from, job_class, bucket, shard))");
        }
        Aggregates existing = new Aggregates();
        try (PreparedStatement read = connection.prepareStatement("select job_class, queued_us, started_us, completed_us from "
                + prefix + "jobs where status = ?")) {
            read.setFetchSize(10_000);
            read.setString(1, JobStatus.COMPLETE.wireName());
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    existing.enter(JobStatus.COMPLETE, rs.getString(1), nullableLong(rs, 2), nullableLong(rs, 3), nullableLong(rs, 4));
                }
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("insert into " + table
                + " (measured_from, job_class, bucket, shard, jobs, total_us, min_us, max_us) values (?, ?, ?, 0, ?, ?, ?, ?)")) {
            for (Aggregates.DurationRow row : existing.durationRows()) {
                insert.setString(1, row.key().from());
                insert.setString(2, row.key().jobClass());
                insert.setInt(3, row.key().bucket());
                insert.setLong(4, row.jobs());
                insert.setLong(5, row.totalUs());
                insert.setObject(6, row.minUs(), Types.BIGINT);
                insert.setObject(7, row.maxUs(), Types.BIGINT);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }
}
