package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.sidekiqsupervisor.store.StoreSchema;

/**
 * The steps that prove the schema version check, shared by the H2 test and the PostgreSQL integration test so that
 * both databases go through exactly the same history.
 */
final class SchemaVersionCheckSteps {
    private SchemaVersionCheckSteps() {
    }

    /**
     * Walks an empty database from no history through one version behind to current, then records a failed
     * migration, checking at each step whether the store counts as current.
     */
    static void runOn(DataSource dataSource) {
        StoreSchema schema = new StoreSchema("chk_", StoreSchema.Mode.MIGRATE);
        assertThat(StoreSchemaMigrator.isCurrent(dataSource, schema)).as("no history yet").isFalse();
        Flyway flyway = JdbiJobStore.flyway(dataSource, schema);
        Flyway.configure().configuration(flyway.getConfiguration()).target("6").load().migrate();
        assertThat(StoreSchemaMigrator.isCurrent(dataSource, schema)).as("one version behind").isFalse();
        JdbiJobStore.open(dataSource, schema, null);
        assertThat(StoreSchemaMigrator.isCurrent(dataSource, schema)).as("migrated").isTrue();
        // A failed migration recorded in the history: Flyway must see it (and refuse), not be skipped.
        Jdbi.create(dataSource).useHandle(handle -> handle.execute("update \"chk_schema_history\" set \"success\" = false "
                + "where \"version\" = '7'"));
        assertThat(StoreSchemaMigrator.isCurrent(dataSource, schema)).as("a failed migration").isFalse();
    }
}
