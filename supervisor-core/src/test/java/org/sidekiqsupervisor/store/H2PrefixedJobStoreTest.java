package org.sidekiqsupervisor.store;

import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import org.sidekiqsupervisor.store.jdbi.JdbiJobStore;

/** The store contract on H2 with a table prefix of the host's choosing. */
class H2PrefixedJobStoreTest extends JobStoreContract {
    @Override
    protected JobStore newStore() {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return JdbiJobStore.open(pool, new StoreSchema("host_sup_", StoreSchema.Mode.MIGRATE), pool);
    }
}
