package org.sidekiqsupervisor.store.jdbi;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

import org.flywaydb.core.api.migration.Context;

/**
 * V18, PostgreSQL only: the arguments filter's trigram index moves to a table of its own ({@code job_arguments}),
 * written once per job, when its arguments arrive (no event changes them after). On the jobs table every event's update
 * made a new row version with new entries in every index (never a HOT update: activity_us, which is indexed, changes
 * every time), so the GIN index took every trigram of the arguments again for each of a job's events: about a fifth of
 * PostgreSQL's CPU per event on the per-event endpoints, measured. The jobs keep their arguments for every read; the
 * filter's full query looks here. A job's row goes with it ({@code on delete cascade}). H2 has its own index of the
 * arguments (V17) and nothing changes there.
 */
final class ArgumentsApartMigration extends PrefixedJavaMigration {
    ArgumentsApartMigration(String prefix) {
        super(prefix, 18, "arguments apart");
    }

    @Override
    public void migrate(Context context) throws SQLException {
        if (!context.getConnection().getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres")) {
            return;
        }
        String jobs = prefix + "jobs";
        String arguments = prefix + "job_arguments";
        try (Statement sql = context.getConnection().createStatement()) {
            sql.execute("create table " + arguments + " (job_id varchar(64) not null primary key references " + jobs
                    + " (job_id) on delete cascade, arguments varchar(1000000) not null)");
            sql.execute("insert into " + arguments + " (job_id, arguments) select job_id, arguments from " + jobs
                    + " where arguments is not null");
            sql.execute("drop index if exists " + jobs + "_arguments_trgm");
            // Where pg_trgm could not be created (V3 said so), the filter scans, as before.
            try (var extension = sql.executeQuery("select 1 from pg_extension where extname = 'pg_trgm'")) {
                if (!extension.next()) {
                    return;
                }
            }
            sql.execute("create index " + arguments + "_trgm on " + arguments + " using gin (arguments gin_trgm_ops)");
        }
    }
}
