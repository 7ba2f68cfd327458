package org.sidekiqsupervisor.sidekiq;

/**
 * Asked for something that needs Sidekiq's Redis (restarting jobs, lost jobs, Sidekiq's live state) on
 * a supervisor that has no Redis configured. Nothing was changed.
 */
public class SidekiqNotConfiguredException extends RuntimeException {
    public SidekiqNotConfiguredException(String what) {
        super(what + " needs Sidekiq's Redis, and no Redis is configured: set --redis-url or SUPERVISOR_REDIS_URL "
                + "(or REDIS_URL), or Supervisor.builder().redisUrl(...)");
    }
}
