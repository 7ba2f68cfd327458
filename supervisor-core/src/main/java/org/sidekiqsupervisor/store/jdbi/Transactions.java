package org.sidekiqsupervisor.store.jdbi;

import java.sql.SQLException;
import java.util.Set;
import java.util.function.Supplier;

import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.sidekiqsupervisor.internal.Failures;
import org.sidekiqsupervisor.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the store runs its statements: on one connection, or in one READ COMMITTED transaction, tried again when it lost
 * a race (two transactions creating the same job, or a deadlock) where the caller says it may. Every database failure
 * leaves here as a {@link StoreException}.
 */
final class Transactions {
    /** How many times a transaction that lost a race (duplicate key, deadlock) is tried again. */
    static final int MAX_TRIES = 5;
    /** SQL states of races that a new try resolves: unique violation, serialization failure, deadlock,
     * and H2's concurrent update and lock timeout. */
    private static final Set<String> RETRYABLE_STATES = Set.of("23505", "40001", "40P01", "90131", "HYT00");

    private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);

    private final Jdbi jdbi;
    private final Database database;

    Transactions(Jdbi jdbi, Database database) {
        this.jdbi = jdbi;
        this.database = database;
    }

    /** Runs {@code work} on one connection, each statement committed by itself. */
    <R> R withHandle(HandleCallback<R, RuntimeException> work) {
        return call(() -> jdbi.withHandle(work));
    }

    /** Runs {@code work} in one READ COMMITTED transaction. */
    <R> R inTransaction(HandleCallback<R, RuntimeException> work) {
        return call(() -> readCommitted(work));
    }

    /**
     * Runs {@code work} in one READ COMMITTED transaction, and again (up to {@value #MAX_TRIES} tries in all) when it
     * lost a race: {@code work} must start afresh each time.
     */
    <R> R inTransactionWithRetries(HandleCallback<R, RuntimeException> work) {
        return withRetries(() -> readCommitted(work));
    }

    /**
     * A transaction at READ COMMITTED, the level every write here is made for (row locks, then retries of lost races).
     * Jdbi's {@code inTransaction(level, ...)} asks the connection for its level before and after every transaction,
     * and the PostgreSQL driver asks the server each time: six round trips a transaction (seen in pg_stat_statements;
     * without them the per-event endpoints benchmark on PostgreSQL recorded 15-18 % more events a second). So when the
     * connections are READ COMMITTED already (PostgreSQL's and H2's default, and what the supervisor's own pool sets) the
     * level is left as it is; a host's data source at another level gets READ COMMITTED for each transaction, and its
     * level back.
     */
    private <R> R readCommitted(HandleCallback<R, RuntimeException> callback) {
        return database.readCommittedByDefault() ? jdbi.inTransaction(callback)
                : jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, callback);
    }

    private static <T> T withRetries(Supplier<T> transaction) {
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction.get();
            } catch (JdbiException e) {
                if (attempt >= MAX_TRIES || !isRace(e)) {
                    throw storeFailure(e);
                }
                LOG.debug("transaction lost a race (try {} of {}), trying again", attempt, MAX_TRIES, e);
            }
        }
    }

    private static <T> T call(Supplier<T> work) {
        try {
            return work.get();
        } catch (JdbiException e) {
            throw storeFailure(e);
        }
    }

    private static boolean isRace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // A failed JDBC batch carries the statement's own error as its "next exception".
            for (SQLException sql = t instanceof SQLException s ? s : null; sql != null; sql = sql.getNextException()) {
                if (sql.getSQLState() != null && RETRYABLE_STATES.contains(sql.getSQLState())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static StoreException storeFailure(JdbiException e) {
        return new StoreException("the store did not answer: " + Failures.rootMessage(e), e);
    }
}
