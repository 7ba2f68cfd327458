package org.sidekiqsupervisor.store;

import org.junit.jupiter.api.AfterEach;
import org.sidekiqsupervisor.store.jdbi.JdbiJobStore;
import org.sidekiqsupervisor.testing.PostgresDatabase;

/** The store contract on the real PostgreSQL server, a fresh database per test. */
class PostgresJobStoreTest extends JobStoreContract {
    private PostgresDatabase database;

    @Override
    protected JobStore newStore() {
        database = PostgresDatabase.create();
        return JdbiJobStore.open(database.dataSource(), null);
    }

    @AfterEach
    void dropDatabase() {
        if (database != null) {
            database.close();
        }
    }
}
