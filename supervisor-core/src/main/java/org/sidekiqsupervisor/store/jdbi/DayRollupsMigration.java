package org.sidekiqsupervisor.store.jdbi;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

import org.flywaydb.core.api.migration.Context;

/**
 * V16: day buckets (span_s 86400, UTC days since the epoch) for the overview's longer ranges, whose class timings then
 * read a row per class and duration bucket for each whole day instead of one for each hour. From here on the write path
 * adds to them with the minutes and hours; this fills them in from the hours a store holds, each day's sum over its
 * hours and every shard, in shard 0. A day holds whole hours (86400 is a multiple of 3600, both counted from the epoch),
 * so its rows say what its hours say, no more.
 *
 * <p>On PostgreSQL also a partial index of the rows outside shard 0, by bucket: the hourly fold (see
 * {@link RollupFolding}) finds the buckets it has left to fold there without reading the rows it folded before. H2 keeps
 * one shard, so has nothing to fold and no such index.
 */
final class DayRollupsMigration extends PrefixedJavaMigration {
    DayRollupsMigration(String prefix) {
        super(prefix, 16, "day rollups");
    }

    @Override
    public void migrate(Context context) throws SQLException {
        boolean postgres = context.getConnection().getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT)
                .contains("postgres");
        String events = prefix + "event_rollups";
        String timings = prefix + "timing_rollups";
        try (Statement sql = context.getConnection().createStatement()) {
            sql.execute("insert into " + events + " (span_s, bucket_us, status, shard, events) "
                    + "select 86400, d, status, 0, sum(events) from (select (bucket_us / 86400000000) * 86400000000 as d, status, events "
                    + "from " + events + " where span_s = 3600) h group by d, status");
            sql.execute("insert into " + timings + " (span_s, bucket_us, job_class, measured, duration_bucket, shard, jobs, total_us, "
                    + "min_us, max_us) select 86400, d, job_class, measured, duration_bucket, 0, sum(jobs), sum(total_us), min(min_us), "
                    + "max(max_us) from (select (bucket_us / 86400000000) * 86400000000 as d, job_class, measured, duration_bucket, jobs, "
                    + "total_us, min_us, max_us from " + timings + " where span_s = 3600) h group by d, job_class, measured, duration_bucket");
            if (postgres) {
                sql.execute("create index " + events + "_sharded on " + events + " (span_s, bucket_us) where shard > 0");
                sql.execute("create index " + timings + "_sharded on " + timings + " (span_s, bucket_us) where shard > 0");
            }
        }
    }
}
