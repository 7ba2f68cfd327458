package org.sidekiqsupervisor.store.jdbi;

import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

/** Folding the rollups' shards on H2: see {@link RollupFoldingChecks}; {@link PostgresRollupFoldingIT} runs it on PostgreSQL. */
class RollupFoldingTest {
    @Test
    void folds_racing_writers_and_each_other_lose_and_double_nothing() throws Exception {
        try (HikariDataSource h2 = new HikariDataSource()) {
            h2.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            RollupFoldingChecks.foldsRacingWritersAndEachOtherLoseAndDoubleNothing(h2);
        }
    }

    @Test
    void pending_rollups_read_the_same_folded_or_not() {
        try (HikariDataSource h2 = new HikariDataSource()) {
            h2.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            RollupFoldingChecks.pendingRollupsReadTheSameFoldedOrNot(h2);
        }
    }
}
