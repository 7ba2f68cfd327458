package org.sidekiqsupervisor;

/**
 * The root of every failure the supervisor reports to its callers on purpose: bad input, something unknown, something
 * not configured, a store or a Redis that does not answer. Whatever the call was to do was not done.
 *
 * <p>Front ends map a failure to their own terms by its {@link #kind()} in one place each (the HTTP API to a status
 * code and a JSON body, the dashboard to a problem page, the console to an exit code); any other exception is a bug.
 */
public abstract class SupervisorException extends RuntimeException {

    /** What went wrong, in terms a front end can map without knowing each exception type. */
    public enum Kind {
        /** The caller's input breaks a rule of the contract; sending it again will not help. */
        INVALID_INPUT,
        /** The thing asked about (a job) is not known to this supervisor. */
        NOT_FOUND,
        /** The call needs Sidekiq's Redis and this supervisor has none configured. */
        SIDEKIQ_NOT_CONFIGURED,
        /** Sidekiq's Redis did not answer or answered an error; the caller may retry later. */
        SIDEKIQ_UNAVAILABLE,
        /** The store's database did not answer or refused; nothing was recorded and the caller may retry later. */
        STORE_UNAVAILABLE
    }

    private final Kind kind;

    /**
     * @param kind    what went wrong
     * @param message what a person reads: what was wrong and, where it helps, how to put it right
     * @param cause   the underlying failure, or null
     */
    protected SupervisorException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** The input field the failure is about (as the HTTP API names it, snake_case), or null. */
    public String field() {
        return null;
    }
}
