package org.sidekiqsupervisor.store;

import java.nio.file.Path;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.store.jdbi.JdbiJobStore;

/**
 * The store contract on an H2 file with the ingest journal (the default for a file): every answer the journal gives
 * before the store has applied the events, and every read after it, must be what the store without one gives.
 */
class H2JournaledJobStoreTest extends JobStoreContract {
    @TempDir
    Path dir;

    @Override
    protected JobStore newStore() {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:file:" + dir.resolve("store-" + System.nanoTime()) + ";WRITE_DELAY=0");
        return JdbiJobStore.open(pool, StoreSchema.DEFAULT, pool, IngestJournal.EVERY_SECOND);
    }
}
