package org.sidekiqsupervisor.store.jdbi;

import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

/**
 * The check that lets a store already at the newest version open without Flyway, on H2 in memory;
 * {@link SchemaVersionCheckIT} runs the same steps on PostgreSQL.
 */
class SchemaVersionCheckTest {
    @Test
    void h2() {
        try (HikariDataSource pool = new HikariDataSource()) {
            pool.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            SchemaVersionCheckSteps.runOn(pool);
        }
    }
}
