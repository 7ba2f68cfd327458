package org.sidekiqsupervisor.store.jdbi;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sidekiqsupervisor.internal.Failures;
import org.sidekiqsupervisor.store.StoreException;
import org.sidekiqsupervisor.store.StoreSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's schema: created and upgraded by Flyway with its own history table ({@code supervisor_schema_history}, or
 * the configured prefix's) and migration locations, so a host application's own Flyway in the same database is left
 * alone.
 */
final class StoreSchemaMigrator {
    private static final Logger LOG = LoggerFactory.getLogger(StoreSchemaMigrator.class);

    private StoreSchemaMigrator() {
    }

    /**
     * Migrates, validates or leaves alone the schema on {@code dataSource} as {@code schema} says.
     *
     * @throws StoreException when the schema is not current (validate) or cannot be migrated
     */
    static void prepare(DataSource dataSource, StoreSchema schema) {
        switch (schema.mode()) {
            case MIGRATE -> {
                // Flyway takes about half a second to start; a store already at this version does not need it.
                if (!isCurrent(dataSource, schema)) {
                    run(dataSource, schema, flyway -> flyway.migrate());
                }
            }
            case VALIDATE -> run(dataSource, schema, flyway -> {
                flyway.validate();
                return null;
            });
            case NONE -> LOG.debug("schema mode none: the supervisor's tables are managed by the host");
        }
    }

    /** See {@link JdbiJobStore#flyway(DataSource, StoreSchema)}. */
    static Flyway flyway(DataSource dataSource, StoreSchema schema) {
        List<String> locations = new ArrayList<>(List.of(JdbiJobStore.MIGRATIONS + "/common"));
        if (Database.isPostgres(dataSource)) {
            locations.add(JdbiJobStore.MIGRATIONS + "/postgresql");
        }
        return Flyway.configure(JdbiJobStore.class.getClassLoader())
                .dataSource(dataSource)
                .table(schema.historyTable())
                .locations(locations.toArray(String[]::new))
                .javaMigrations(new DurationBucketsMigration(schema.tablePrefix()),
                        new EventIdCacheMigration(schema.tablePrefix()), new LostIndexesMigration(schema.tablePrefix()),
                        new RollupsMigration(schema.tablePrefix()), new DayRollupsMigration(schema.tablePrefix()),
                        new JobNumbersMigration(schema.tablePrefix()), new ArgumentsApartMigration(schema.tablePrefix()))
                .placeholders(Map.of("prefix", schema.tablePrefix()))
                // A host database with its own tables: keep them, and still run our V1.
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load();
    }

    /**
     * Whether the schema history says every migration up to {@link JdbiJobStore#SCHEMA_VERSION} succeeded. False when
     * there is no history yet, or it cannot be read: Flyway then decides (and reports what is wrong).
     */
    static boolean isCurrent(DataSource dataSource, StoreSchema schema) {
        // Flyway names its history table and columns in quotes, lower case, on H2 and PostgreSQL alike.
        String sql = "select \"version\", \"success\" from \"" + schema.historyTable() + "\"";
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            boolean current = false;
            while (rows.next()) {
                if (!rows.getBoolean("success")) {
                    return false;
                }
                current |= JdbiJobStore.SCHEMA_VERSION.equals(rows.getString("version"));
            }
            return current;
        } catch (SQLException e) {
            return false;
        }
    }

    private static void run(DataSource dataSource, StoreSchema schema, Function<Flyway, Object> action) {
        try {
            action.apply(flyway(dataSource, schema));
        } catch (FlywayException e) {
            throw new StoreException("the supervisor's schema (" + schema.tablePrefix() + "*) "
                    + (schema.mode() == StoreSchema.Mode.VALIDATE ? "is not current" : "could not be migrated") + ": "
                    + Failures.rootMessage(e), e);
        }
    }
}
