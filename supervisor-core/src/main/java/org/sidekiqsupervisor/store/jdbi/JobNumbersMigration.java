package org.sidekiqsupervisor.store.jdbi;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

import org.flywaydb.core.api.migration.Context;

/**
 * V17, H2 only: numbers the jobs ({@code seq}), for the arguments index ({@link ArgumentsIndex}), which names jobs by
 * number and assigns the numbers of new ones. The index itself lives beside the H2 file; the store's next start builds
 * it from the jobs. PostgreSQL has pg_trgm's index (V3) instead, and nothing changes there.
 */
final class JobNumbersMigration extends PrefixedJavaMigration {
    JobNumbersMigration(String prefix) {
        super(prefix, 17, "job numbers");
    }

    @Override
    public void migrate(Context context) throws SQLException {
        if (context.getConnection().getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres")) {
            return;
        }
        String jobs = prefix + "jobs";
        String numbers = prefix + "job_numbers";
        try (Statement sql = context.getConnection().createStatement()) {
            sql.execute("alter table " + jobs + " add column seq bigint");
            sql.execute("create sequence " + numbers);
            sql.execute("update " + jobs + " set seq = next value for " + numbers);
            sql.execute("drop sequence " + numbers);
            sql.execute("alter table " + jobs + " alter column seq set not null");
            sql.execute("create unique index " + jobs + "_seq on " + jobs + " (seq)");
        }
    }
}
