package org.sidekiqsupervisor.store;

/**
 * The store could not do what was asked: the database is unreachable, timed out or refused. Whatever
 * the call was to write was not recorded; the caller may retry.
 */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
