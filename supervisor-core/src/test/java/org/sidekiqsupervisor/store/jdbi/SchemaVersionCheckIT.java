package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.store.StoreSchema;
import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** The check that lets a store already at the newest version open without Flyway, on both databases. */
class SchemaVersionCheckIT {
    @Test
    void h2() {
        try (HikariDataSource pool = new HikariDataSource()) {
            pool.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            check(pool);
        }
    }

    @Test
    @RequiresService(Service.POSTGRES)
    void postgresql() {
        try (PostgresDatabase database = PostgresDatabase.create()) {
            check(database.dataSource());
        }
    }

    private static void check(DataSource dataSource) {
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
