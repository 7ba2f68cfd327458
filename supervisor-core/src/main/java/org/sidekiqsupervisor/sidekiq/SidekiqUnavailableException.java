package org.sidekiqsupervisor.sidekiq;

/** Sidekiq's Redis did not answer, or answered an error. Whatever was asked was not done. */
public class SidekiqUnavailableException extends RuntimeException {
    public SidekiqUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
