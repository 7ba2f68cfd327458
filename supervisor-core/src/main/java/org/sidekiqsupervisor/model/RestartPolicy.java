package org.sidekiqsupervisor.model;

import java.util.Arrays;
import java.util.Locale;

import org.sidekiqsupervisor.InvalidInputException;

/**
 * What may happen to a lost job of a class (contract 5a): some work must not run twice without a person deciding.
 */
public enum RestartPolicy {
    /** The default: the watchdog, or anyone, may restart a lost job of the class. */
    RESTART,
    /** Lost jobs are listed and kept for a person: restarted only by a request that names the job, or with force. */
    HOLD,
    /** Lost jobs are listed and never restarted, not even by hand, unless the request says force. */
    NEVER;

    /** The name in settings and JSON: {@code restart}, {@code hold}, {@code never}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a policy by its name.
     *
     * @param field the name of the input it came from, for the error
     * @throws InvalidInputException naming the accepted values
     */
    public static RestartPolicy parse(String text, String field) {
        return Arrays.stream(values()).filter(policy -> policy.wireName().equals(text)).findFirst()
                .orElseThrow(() -> new InvalidInputException(field, field + " must be restart, hold or never (got "
                        + InvalidInputException.quote(text) + ")"));
    }
}
