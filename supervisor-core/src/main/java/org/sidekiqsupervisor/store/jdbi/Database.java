package org.sidekiqsupervisor.store.jdbi;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

import javax.sql.DataSource;

import org.sidekiqsupervisor.internal.Failures;
import org.sidekiqsupervisor.store.StoreException;

/**
 * What the store needs to know of its database, read from one connection when it opens.
 *
 * @param postgres               whether it is PostgreSQL (else H2)
 * @param readCommittedByDefault whether its connections start at READ COMMITTED, the level every write here is made for
 */
record Database(boolean postgres, boolean readCommittedByDefault) {

    /** Reads what the store needs to know of the database behind {@code dataSource}. */
    static Database of(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return new Database(isPostgres(connection), connection.getTransactionIsolation() == Connection.TRANSACTION_READ_COMMITTED);
        } catch (SQLException e) {
            throw new StoreException("the store did not answer: " + Failures.rootMessage(e), e);
        }
    }

    /** Whether the database behind {@code dataSource} is PostgreSQL. */
    static boolean isPostgres(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return isPostgres(connection);
        } catch (SQLException e) {
            throw new StoreException("the store did not answer: " + Failures.rootMessage(e), e);
        }
    }

    private static boolean isPostgres(Connection connection) throws SQLException {
        return connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
    }
}
