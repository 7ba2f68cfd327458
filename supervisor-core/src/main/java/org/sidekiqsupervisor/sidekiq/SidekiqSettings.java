package org.sidekiqsupervisor.sidekiq;

import java.time.Duration;
import java.util.Objects;

/**
 * How the supervisor treats Sidekiq's jobs.
 *
 * @param version     the payload format written on restart when no live Sidekiq process announces its version
 * @param lostGrace   a started job that Sidekiq has no trace of counts as lost once it started longer ago than
 *                    this (it covers the seconds before a process's heartbeat lists a new job)
 * @param maxRestarts a lineage restarted this many times is not restarted again (a poison pill)
 */
public record SidekiqSettings(SidekiqVersion version, Duration lostGrace, int maxRestarts) {
    public static final SidekiqVersion DEFAULT_VERSION = SidekiqVersion.V7;
    public static final Duration DEFAULT_LOST_GRACE = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_RESTARTS = 3;
    public static final SidekiqSettings DEFAULTS = new SidekiqSettings(DEFAULT_VERSION, DEFAULT_LOST_GRACE, DEFAULT_MAX_RESTARTS);

    public SidekiqSettings {
        Objects.requireNonNull(version, "version");
        if (lostGrace == null || lostGrace.isNegative()) {
            throw new IllegalArgumentException("lostGrace must be zero or more seconds (got " + lostGrace + ")");
        }
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must be zero or more (got " + maxRestarts + ")");
        }
    }
}
