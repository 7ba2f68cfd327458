package org.sidekiqsupervisor.store;

import org.junit.jupiter.api.AfterEach;
import org.sidekiqsupervisor.store.jdbi.JdbiJobStore;
import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** The store contract on the real PostgreSQL server, a fresh database per test. */
@RequiresService(Service.POSTGRES)
class PostgresJobStoreIT extends JobStoreContract {
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
