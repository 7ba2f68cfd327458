package org.sidekiqsupervisor.store.jdbi;

import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/**
 * The check that lets a store already at the newest version open without Flyway, on the real PostgreSQL server;
 * {@link SchemaVersionCheckTest} runs the same steps on H2.
 */
class SchemaVersionCheckIT {
    @Test
    @RequiresService(Service.POSTGRES)
    void postgresql() {
        try (PostgresDatabase database = PostgresDatabase.create()) {
            SchemaVersionCheckSteps.runOn(database.dataSource());
        }
    }
}
