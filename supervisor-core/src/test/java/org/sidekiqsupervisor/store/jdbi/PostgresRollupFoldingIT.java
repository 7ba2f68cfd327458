package org.sidekiqsupervisor.store.jdbi;

import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** Folding the rollups' shards, and the pending rollups, on PostgreSQL: see {@link RollupFoldingChecks}. */
@RequiresService(Service.POSTGRES)
class PostgresRollupFoldingIT {
    @Test
    void folds_racing_writers_and_each_other_lose_and_double_nothing() throws Exception {
        try (PostgresDatabase database = PostgresDatabase.create()) {
            RollupFoldingChecks.foldsRacingWritersAndEachOtherLoseAndDoubleNothing(database.dataSource());
        }
    }

    @Test
    void pending_rollups_read_the_same_folded_or_not() {
        try (PostgresDatabase database = PostgresDatabase.create()) {
            RollupFoldingChecks.pendingRollupsReadTheSameFoldedOrNot(database.dataSource());
        }
    }
}
