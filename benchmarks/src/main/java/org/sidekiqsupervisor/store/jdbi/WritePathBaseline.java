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
    /** How often a running store folds its pending rollups: the benchmark folds as often. */
    public static final java.time.Duration FOLD_INTERVAL = JdbiJobStore.PENDING_FOLD_INTERVAL;

    private WritePathBaseline() {
    }

    /**
     * A store on {@code dataSource} (migrated, default schema) whose batches are written in the caller's transaction (no
     * ingest journal), adding to the rollups or not, and which folds its pending rollups only in {@link #foldPending}.
     */
    public static JobStore open(DataSource dataSource, boolean rollups) {
        return JdbiJobStore.openForWritePath(dataSource, StoreSchema.DEFAULT, null, IngestJournal.OFF, rollups);
    }

    /** Folds everything pending of a store {@link #open} made into its rollups; returns how many rows it folded. */
    public static long foldPending(JobStore store) {
        return ((JdbiJobStore) store).foldPendingRollups();
    }
}
