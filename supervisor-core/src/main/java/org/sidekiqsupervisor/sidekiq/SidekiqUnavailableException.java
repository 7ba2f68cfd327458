package org.sidekiqsupervisor.sidekiq;

import org.sidekiqsupervisor.SupervisorException;

/** Sidekiq's Redis did not answer, or answered an error. Whatever was asked was not done. */
public class SidekiqUnavailableException extends SupervisorException {
    /** A failure of Sidekiq's Redis, described for a person, with the client's own failure as the cause. */
    public SidekiqUnavailableException(String message, Throwable cause) {
        super(Kind.SIDEKIQ_UNAVAILABLE, message, cause);
    }
}
