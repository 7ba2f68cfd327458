package org.sidekiqsupervisor.sidekiq;

import org.sidekiqsupervisor.SupervisorException;

/**
 * Asked for something that needs Sidekiq's Redis (restarting jobs, lost jobs, Sidekiq's live state) on
 * a supervisor that has no Redis configured. Nothing was changed.
 */
public class SidekiqNotConfiguredException extends SupervisorException {
    /** @param what what needed Redis, e.g. "restarting jobs" */
    public SidekiqNotConfiguredException(String what) {
        super(Kind.SIDEKIQ_NOT_CONFIGURED, what + " needs Sidekiq's Redis, and no Redis is configured: set --redis-url or SUPERVISOR_REDIS_URL "
                + "(or REDIS_URL), or Supervisor.builder().redisUrl(...)", null);
    }
}
