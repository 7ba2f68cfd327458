package org.sidekiqsupervisor.standalone;

import java.time.Duration;

import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import picocli.CommandLine.Option;

/** Sidekiq's Redis and how lost jobs are treated: shared by the server and the console commands. */
final class SidekiqOptions {
    @Option(names = "--redis-url", paramLabel = "URL", defaultValue = "${env:SUPERVISOR_REDIS_URL:-${env:REDIS_URL}}",
            description = "Sidekiq's Redis, redis://[:password@]host:6379/0 or rediss://...; needed for lost jobs, restart "
                    + "and Sidekiq's state (env SUPERVISOR_REDIS_URL, else REDIS_URL as Sidekiq reads it; default: none)")
    String url;

    @Option(names = "--sidekiq-version", paramLabel = "6|7|8", defaultValue = "${env:SUPERVISOR_SIDEKIQ_VERSION:-7}",
            description = "the Sidekiq major version whose payload format a restart writes when no live Sidekiq process "
                    + "announces its version (7.x and 8.x do, in their heartbeat) (env SUPERVISOR_SIDEKIQ_VERSION; "
                    + "default: ${DEFAULT-VALUE})")
    String version;

    @Option(names = "--lost-grace", paramLabel = "SECONDS", defaultValue = "${env:SUPERVISOR_LOST_GRACE:-60}",
            description = "a started job Sidekiq has no trace of counts as lost once it started more than this many seconds "
                    + "ago (env SUPERVISOR_LOST_GRACE; default: ${DEFAULT-VALUE})")
    long lostGraceSeconds;

    @Option(names = "--max-restarts", paramLabel = "N", defaultValue = "${env:SUPERVISOR_MAX_RESTARTS:-3}",
            description = "a job restarted this many times is not restarted again (env SUPERVISOR_MAX_RESTARTS; "
                    + "default: ${DEFAULT-VALUE})")
    int maxRestarts;

    Supervisor.Builder applyTo(Supervisor.Builder builder) {
        if (lostGraceSeconds < 0) {
            throw new IllegalArgumentException("--lost-grace must be zero or more seconds (got " + lostGraceSeconds + ")");
        }
        return builder.redisUrl(url)
                .sidekiqVersion(SidekiqVersion.parse(version))
                .lostGrace(Duration.ofSeconds(lostGraceSeconds))
                .maxRestarts(maxRestarts);
    }
}
