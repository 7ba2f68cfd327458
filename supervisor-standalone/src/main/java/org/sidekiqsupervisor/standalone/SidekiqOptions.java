package org.sidekiqsupervisor.standalone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.model.RestartPolicy;
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
            description = "a queued or started job counts as lost once the looks at Sidekiq have found it nowhere for this "
                    + "many seconds, and in two looks at least 10 s apart (env SUPERVISOR_LOST_GRACE; default: ${DEFAULT-VALUE})")
    long lostGraceSeconds;

    @Option(names = "--max-restarts", paramLabel = "N", defaultValue = "${env:SUPERVISOR_MAX_RESTARTS:-3}",
            description = "a job restarted this many times is not restarted again (env SUPERVISOR_MAX_RESTARTS; "
                    + "default: ${DEFAULT-VALUE})")
    int maxRestarts;

    @Option(names = "--policy", paramLabel = "CLASS=POLICY",
            description = "what may happen to a lost job of CLASS: restart (the default: the watchdog or anyone may restart "
                    + "it), hold (kept for a person to restart by its job id, or with force) or never (not even by hand "
                    + "without force); repeatable, e.g. --policy PaymentJob=hold")
    List<String> policies = new ArrayList<>();

    Supervisor.Builder applyTo(Supervisor.Builder builder) {
        if (lostGraceSeconds < 0) {
            throw new IllegalArgumentException("--lost-grace must be zero or more seconds (got " + lostGraceSeconds + ")");
        }
        for (String each : policies) {
            int equals = each.indexOf('=');
            if (equals < 1 || equals == each.length() - 1) {
                throw new IllegalArgumentException("--policy must be CLASS=restart, CLASS=hold or CLASS=never (got " + each + ")");
            }
            builder.policy(each.substring(0, equals), RestartPolicy.parse(each.substring(equals + 1), "--policy"));
        }
        return builder.redisUrl(url)
                .sidekiqVersion(SidekiqVersion.parse(version))
                .lostGrace(Duration.ofSeconds(lostGraceSeconds))
                .maxRestarts(maxRestarts);
    }
}
