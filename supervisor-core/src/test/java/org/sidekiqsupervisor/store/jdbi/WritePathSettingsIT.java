package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/**
 * How the store writes on the real PostgreSQL server: the events' identity;
 * {@link WritePathSettingsTest} checks the identity on H2, reserved in larger steps, and the transaction level.
 */
class WritePathSettingsIT {
    @Test
    @RequiresService(Service.POSTGRES)
    void on_postgresql_the_event_ids_keep_their_default_cache() {
        try (PostgresDatabase database = PostgresDatabase.create()) {
            JdbiJobStore.open(database.dataSource(), null);
            long cache = Jdbi.create(database.dataSource()).withHandle(handle -> handle.createQuery(
                    "select seqcache from pg_sequence where seqrelid = pg_get_serial_sequence('supervisor_job_events', "
                            + "'event_id')::regclass").mapTo(Long.class).one());
            assertThat(cache).isEqualTo(1L);
        }
    }
}
