package org.sidekiqsupervisor.store.jdbi;

import javax.sql.DataSource;

import org.sidekiqsupervisor.store.IngestJournal;
import org.sidekiqsupervisor.store.JobStore;
import org.sidekiqsupervisor.store.StoreSchema;

/**
 * The rollup cost benchmark's two stores, side by side: in the store's package (the benchmarks' jar holds both), since
 * the store without rollups is no product's: only a baseline for what they cost.
 */
public final class WritePathBaseline {
    private WritePathBaseline() {
    }

    /**
     * A store on {@code dataSource} (migrated, default schema) whose batches are written in the caller's transaction (no
     * ingest journal), adding to the rollups or not.
     */
    public static JobStore open(DataSource dataSource, boolean rollups) {
        return rollups ? JdbiJobStore.open(dataSource, StoreSchema.DEFAULT, null, IngestJournal.OFF)
                : JdbiJobStore.openWithoutRollups(dataSource, StoreSchema.DEFAULT, null, IngestJournal.OFF);
    }
}
