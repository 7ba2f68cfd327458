package org.sidekiqsupervisor.store.jdbi;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

import org.flywaydb.core.api.migration.Context;

/**
 * V12: the indexes that find the lost jobs, the jobs the looks missed and the restart claims left behind (all rare)
 * without reading every job, and without costing the write path. On PostgreSQL they are partial (only the rows that have a lost time or a claim
 * are in them): an update that is not HOT adds an entry to every index the row is in, and every event's update moves
 * the job's activity, so a full index on these columns would cost every event. On H2, which has no partial indexes,
 * they are single-column indexes: an update that leaves an index's columns as they were does not touch it, and a new
 * job's entry goes at the end (its key is null and its row id the newest).
 */
final class LostIndexesMigration extends PrefixedJavaMigration {
    LostIndexesMigration(String prefix) {
        super(prefix, 12, "lost, missing and claimed indexes");
    }

    @Override
    public void migrate(Context context) throws SQLException {
        boolean postgres = context.getConnection().getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT)
                .contains("postgres");
        try (Statement ddl = context.getConnection().createStatement()) {
            ddl.execute("create index " + prefix + "jobs_lost on " + prefix + "jobs (lost_us)"
                    + (postgres ? " where lost_us is not null" : ""));
            ddl.execute("create index " + prefix + "jobs_restart_claimed on " + prefix + "jobs (restart_claimed_us)"
                    + (postgres ? " where restart_claimed_us is not null" : ""));
            ddl.execute("create index " + prefix + "jobs_missing on " + prefix + "jobs (missing_since_us)"
                    + (postgres ? " where missing_since_us is not null" : ""));
        }
    }
}
