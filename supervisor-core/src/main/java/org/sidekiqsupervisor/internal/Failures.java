package org.sidekiqsupervisor.internal;

/**
 * Failure messages for people: the root cause's first line, without the stack of wrappers, and without credentials
 * a driver may echo from a URL (they end up in logs, start-up errors and /health).
 */
public final class Failures {
    private Failures() {
    }

    /** The message of the deepest cause, with any credentials in URLs replaced: safe to log and to answer with. */
    public static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : Urls.withoutCredentials(message.lines().findFirst().orElse(""));
    }
}
