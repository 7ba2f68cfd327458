package org.sidekiqsupervisor.jaxrs;

/**
 * A request the API refuses with a given status and a JSON error body; nothing was changed.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String field;

    /** An error answered with {@code status} and the message, naming {@code field} (or null). */
    public ApiException(int status, String message, String field) {
        super(message);
        this.status = status;
        this.field = field;
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }

    /** The field the error is about, or null. */
    public String field() {
        return field;
    }
}
