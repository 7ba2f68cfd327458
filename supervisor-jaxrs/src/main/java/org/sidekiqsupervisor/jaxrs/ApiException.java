package org.sidekiqsupervisor.jaxrs;

import org.sidekiqsupervisor.SupervisorException;

/**
 * A request the HTTP API refuses with a status of its own (404, 408, 413, 415, ...) and a JSON error body; nothing
 * was changed. Its {@link #kind()} is {@link Kind#NOT_FOUND} for a 404 and {@link Kind#INVALID_INPUT} otherwise, so
 * that front ends that know no HTTP status still map it.
 */
public class ApiException extends SupervisorException {
    private final int status;
    private final String field;

    /** An error answered with {@code status} (a 4xx) and the message, naming {@code field} (or null). */
    public ApiException(int status, String message, String field) {
        super(status == 404 ? Kind.NOT_FOUND : Kind.INVALID_INPUT, message, null);
        this.status = status;
        this.field = field;
    }

    /**
     * The 4xx a refusal answers with: an {@code ApiException}'s own status, else 404 for something unknown and 400 for
     * any other bad input. The one table both HTTP front ends (the API and the dashboard) use.
     */
    public static int status(SupervisorException refusal) {
        return refusal instanceof ApiException api ? api.status() : refusal.kind() == Kind.NOT_FOUND ? 404 : 400;
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }

    /** The field the error is about, or null. */
    @Override
    public String field() {
        return field;
    }
}
