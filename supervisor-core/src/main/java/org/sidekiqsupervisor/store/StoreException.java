package org.sidekiqsupervisor.store;

import org.sidekiqsupervisor.SupervisorException;

/**
 * The store could not do what was asked: the database is unreachable, timed out or refused. Whatever
 * the call was to write was not recorded; the caller may retry.
 */
public class StoreException extends SupervisorException {
    /** A failure described by {@code message}, caused by {@code cause} (the database's own error, or null). */
    public StoreException(String message, Throwable cause) {
        super(Kind.STORE_UNAVAILABLE, message, cause);
    }

    /**
     * Whether this failure says the database cannot be reached at all (no connection, a connection lost or timed
     * out, the server shutting down), rather than that one statement failed: trying other work at once is futile.
     */
    public boolean databaseUnreachable() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.net.ConnectException || t instanceof java.io.EOFException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }
}
