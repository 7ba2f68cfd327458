package org.sidekiqsupervisor.store.jdbi;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

import org.flywaydb.core.api.migration.Context;
import org.sidekiqsupervisor.model.JobStatus;

/**
 * V14: fills in the rollups (V13 made the tables) from the events and jobs a store already holds, so that the overview
 * of an upgraded store shows its past. The event counts are grouped by the database, one statement per bucket length.
 * The waits and runs are read an hour of received events at a time (by the events' received-time index), each
 * started or complete event with its job, and folded in memory by the same code the write path uses; an hour's
 * buckets belong to that hour alone, so each is written once, with plain inserts. What the jobs hold now is what is
 * told: a job's wait at the event of its last start, its run at the event of its completion (the write path tells one
 * figure per such event as it comes). Events of jobs deleted before the upgrade are gone, and so are their figures.
 */
final class RollupsMigration extends PrefixedJavaMigration {
    private static final long HOUR_US = Rollups.HOUR_S * 1_000_000L;

    RollupsMigration(String prefix) {
        super(prefix, 14, "rollups from recorded events");
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection connection = context.getConnection();
        String events = prefix + "job_events";
        for (int span : Rollups.V13_SPANS) {
            // The bucket length is a number from this code, never text from outside.
            long spanUs = span * 1_000_000L;
            try (PreparedStatement counts = connection.prepareStatement("insert into " + prefix + "event_rollups "
                    + "(span_s, bucket_us, status, shard, events) select " + span + ", b, status, 0, count(*) from "
                    + "(select (received_us / " + spanUs + ") * " + spanUs + " as b, status from " + events + ") e group by b, status")) {
                counts.executeUpdate();
            }
        }
        for (Long hour = nextHour(connection, events, Long.MIN_VALUE); hour != null; hour = nextHour(connection, events, hour + HOUR_US)) {
            Rollups rollups = new Rollups(Rollups.V13_SPANS);
            readTimings(connection, events, hour, hour + HOUR_US, rollups);
            insertTimings(connection, rollups);
        }
    }

    /** Where the hour holding the first event received at or after {@code fromUs} starts, or null when none is. */
    private static Long nextHour(Connection connection, String events, long fromUs) throws SQLException {
        try (PreparedStatement first = connection.prepareStatement("select received_us from " + events
                + " where received_us >= ? order by received_us limit 1")) {
            first.setLong(1, fromUs);
            try (ResultSet rs = first.executeQuery()) {
                return rs.next() ? Rollups.bucketStart(rs.getLong(1), Rollups.HOUR_S) : null;
            }
        }
    }

    /** Folds the waits and runs told by the started and complete events received in [fromUs, toUs) into {@code rollups}. */
    private void readTimings(Connection connection, String events, long fromUs, long toUs, Rollups rollups) throws SQLException {
        try (PreparedStatement read = connection.prepareStatement("select e.status, e.at_us, e.received_us, j.job_class, "
                + "j.status as job_status, j.queued_us, j.started_us, j.completed_us from " + events + " e join " + prefix
                + "jobs j on j.job_id = e.job_id where e.received_us >= ? and e.received_us < ? and e.status in (?, ?)")) {
            read.setFetchSize(10_000);
            read.setLong(1, fromUs);
            read.setLong(2, toUs);
            read.setString(3, JobStatus.STARTED.wireName());
            read.setString(4, JobStatus.COMPLETE.wireName());
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    long at = rs.getLong("at_us");
                    long received = rs.getLong("received_us");
                    String jobClass = rs.getString("job_class");
                    Long queued = nullableLong(rs, "queued_us");
                    Long started = nullableLong(rs, "started_us");
                    Long completed = nullableLong(rs, "completed_us");
                    // As JobTimings: the wait of the last start, the run of a complete job; no figure where clocks disagree.
                    if (JobStatus.STARTED.wireName().equals(rs.getString("status"))) {
                        if (queued != null && started != null && at == started && started >= queued) {
                            rollups.timing(Rollups.WAIT, jobClass, started - queued, received);
                        }
                    } else if (JobStatus.COMPLETE.wireName().equals(rs.getString("job_status")) && started != null
                            && completed != null && at == completed && completed >= started) {
                        rollups.timing(Rollups.RUN, jobClass, completed - started, received);
                    }
                }
            }
        }
    }

    private void insertTimings(Connection connection, Rollups rollups) throws SQLException {
        if (rollups.timings().isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement("insert into " + prefix + "timing_rollups (span_s, bucket_us, "
                + "job_class, measured, duration_bucket, shard, jobs, total_us, min_us, max_us) values (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)")) {
            for (Map.Entry<Rollups.TimingKey, Rollups.Timing> row : rollups.timings().entrySet()) {
                Rollups.TimingKey key = row.getKey();
                Rollups.Timing timing = row.getValue();
                insert.setInt(1, key.spanS());
                insert.setLong(2, key.bucketUs());
                insert.setString(3, key.jobClass());
                insert.setString(4, key.measured());
                insert.setInt(5, key.durationBucket());
                insert.setLong(6, timing.jobs());
                insert.setLong(7, timing.totalUs());
                insert.setLong(8, timing.minUs());
                insert.setLong(9, timing.maxUs());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }
}
