package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.JobStore;

/**
 * How the store writes on H2: the events' identity, and the transaction level it asks for;
 * {@link WritePathSettingsIT} checks the events' identity on PostgreSQL.
 */
class WritePathSettingsTest {
    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

    @Test
    void on_h2_the_event_ids_are_reserved_ten_thousand_at_a_time() {
        try (HikariDataSource pool = h2()) {
            JobStore store = JdbiJobStore.open(pool, null);
            long cache = Jdbi.create(pool).withHandle(handle -> handle.createQuery("select identity_cache from "
                    + "information_schema.columns where table_name = 'SUPERVISOR_JOB_EVENTS' and column_name = 'EVENT_ID'")
                    .mapTo(Long.class).one());
            assertThat(cache).isEqualTo(10_000L);
            recordThreeJobs(store);
            List<Long> ids = Jdbi.create(pool).withHandle(handle -> handle.createQuery(
                    "select event_id from supervisor_job_events order by event_id").mapTo(Long.class).list());
            assertThat(ids).hasSize(9).doesNotHaveDuplicates();
        }
    }

    @Test
    void connections_already_read_committed_are_not_asked_for_their_level_around_each_transaction() {
        assertThat(levelCallsWhileRecording("TRANSACTION_READ_COMMITTED")).isEmpty();
    }

    @Test
    void connections_at_another_level_are_set_to_read_committed_for_each_transaction_and_back() {
        List<String> sets = levelCallsWhileRecording("TRANSACTION_SERIALIZABLE").stream()
                .filter(call -> call.startsWith("set")).toList();
        // Three record transactions: each set to READ COMMITTED, then put back to SERIALIZABLE.
        assertThat(sets).containsExactly(
                "set " + Connection.TRANSACTION_READ_COMMITTED, "set " + Connection.TRANSACTION_SERIALIZABLE,
                "set " + Connection.TRANSACTION_READ_COMMITTED, "set " + Connection.TRANSACTION_SERIALIZABLE,
                "set " + Connection.TRANSACTION_READ_COMMITTED, "set " + Connection.TRANSACTION_SERIALIZABLE);
    }

    /**
     * Opens a store on connections that start at {@code level}, records three jobs' lives, checks they were recorded,
     * and returns how the connections were asked for or set to a level after the store had opened.
     */
    private static List<String> levelCallsWhileRecording(String level) {
        try (HikariDataSource pool = h2()) {
            pool.setTransactionIsolation(level);
            Recording recording = new Recording(pool);
            JobStore store = JdbiJobStore.open(recording, null);
            int atOpen = recording.calls().size();
            recordThreeJobs(store);
            List<String> whileRecording = recording.calls().subList(atOpen, recording.calls().size());
            // Read after the calls are taken: reading the job back is a transaction of its own.
            assertThat(store.details("job-2")).get().extracting(details -> details.job().status()).isEqualTo(JobStatus.COMPLETE);
            return whileRecording;
        }
    }

    private static HikariDataSource h2() {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return pool;
    }

    /** Three jobs, each queued, started and complete: one transaction per status. */
    private static void recordThreeJobs(JobStore store) {
        JobStatus[] statuses = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.COMPLETE};
        for (int step = 0; step < statuses.length; step++) {
            List<JobEvent> events = new ArrayList<>();
            for (int job = 0; job < 3; job++) {
                Instant at = T0.plusSeconds(10L * job + step);
                events.add(new JobEvent("job-" + job, statuses[step], at, "HardWorker", "default", "[1]", null, null, null));
            }
            store.record(events, T0.plusSeconds(60));
        }
    }

    /** A data source whose connections note each time they are asked for or set to a transaction level. */
    private static final class Recording implements DataSource {
        private final DataSource target;
        private final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        Recording(DataSource target) {
            this.target = target;
        }

        List<String> calls() {
            return List.copyOf(calls);
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection connection = target.getConnection();
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("getTransactionIsolation")) {
                            calls.add("get");
                        } else if (method.getName().equals("setTransactionIsolation")) {
                            calls.add("set " + args[0]);
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String username, String password) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}
