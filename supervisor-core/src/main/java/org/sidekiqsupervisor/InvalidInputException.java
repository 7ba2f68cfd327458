package org.sidekiqsupervisor;

/**
 * Input that breaks a rule of the contract: an event, a query or a setting. Nothing was changed.
 *
 * <p>Carries the name of the offending field (as the HTTP API names it, snake_case) so that callers can
 * point at it; {@code field} is null when the input as a whole is wrong.
 */
public class InvalidInputException extends SupervisorException {
    private static final int MAX_QUOTED = 40;
    private final String field;

    /** An input error on {@code field} (null when it is about the whole request). */
    public InvalidInputException(String field, String message) {
        super(Kind.INVALID_INPUT, message, null);
        this.field = field;
    }

    /** The field the error is about, or null. */
    @Override
    public String field() {
        return field;
    }

    /** Quotes a user-supplied value for an error message, cut short so that errors stay small. */
    public static String quote(String value) {
        if (value == null) {
            return "nothing";
        }
        String shown = value.length() > MAX_QUOTED ? value.substring(0, MAX_QUOTED) + "…" : value;
        return '"' + shown + '"';
    }
}
