package org.sidekiqsupervisor.sidekiq;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import org.sidekiqsupervisor.model.RestartPolicy;

/**
 * How the supervisor treats Sidekiq's jobs.
 *
 * @param version     the payload format written on restart when no live Sidekiq process announces its version
 * @param lostGrace   a started job that Sidekiq has no trace of counts as lost once it started longer ago than
 *                    this (it covers the seconds before a process's heartbeat lists a new job)
 * @param maxRestarts a lineage restarted this many times is quarantined: not restarted again, not alerted about
 *                    (a poison pill that kills its worker every time)
 * @param policies    the restart policy of each job class that does not have the default
 *                    ({@link RestartPolicy#RESTART})
 */
public record SidekiqSettings(SidekiqVersion version, Duration lostGrace, int maxRestarts, Map<String, RestartPolicy> policies) {
    public static final SidekiqVersion DEFAULT_VERSION = SidekiqVersion.V7;
    public static final Duration DEFAULT_LOST_GRACE = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_RESTARTS = 3;
    public static final SidekiqSettings DEFAULTS = new SidekiqSettings(DEFAULT_VERSION, DEFAULT_LOST_GRACE, DEFAULT_MAX_RESTARTS);

    /** Checks the settings, naming the one that is wrong. */
    public SidekiqSettings {
        Objects.requireNonNull(version, "version");
        if (lostGrace == null || lostGrace.isNegative()) {
            throw new IllegalArgumentException("lostGrace must be zero or more seconds (got " + lostGrace + ")");
        }
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must be zero or more (got " + maxRestarts + ")");
        }
        policies = Map.copyOf(Objects.requireNonNull(policies, "policies"));
    }

    /** Settings where every class has the default policy. */
    public SidekiqSettings(SidekiqVersion version, Duration lostGrace, int maxRestarts) {
        this(version, lostGrace, maxRestarts, Map.of());
    }

    /** The restart policy of a job class; {@link RestartPolicy#RESTART} for one without its own (and for no class). */
    public RestartPolicy policy(String jobClass) {
        return jobClass == null ? RestartPolicy.RESTART : policies.getOrDefault(jobClass, RestartPolicy.RESTART);
    }

    /** Whether a job whose lineage was restarted this many times is quarantined. */
    public boolean quarantined(int restarts) {
        return restarts >= maxRestarts;
    }
}
