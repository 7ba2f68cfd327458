package org.sidekiqsupervisor.jaxrs;

import java.util.List;

import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.sidekiq.SidekiqRedis;

/**
 * Quiet and Stop of a Sidekiq process, the one way both the API ({@code POST /api/v1/sidekiq/processes/{identity}/...})
 * and the dashboard's Busy page send them: checked against Sidekiq's {@code processes} set, sent as Sidekiq's Web UI
 * sends them ({@link org.sidekiqsupervisor.sidekiq.SidekiqActions#signal}), and recorded in the audit log. Stateless.
 */
public final class SidekiqSignals {
    /** Stop fetching new jobs; finish the running ones. */
    public static final String QUIET = "TSTP";
    /** Shut down. */
    public static final String STOP = "TERM";

    private SidekiqSignals() {
    }

    /**
     * Tells the process to quiet or stop on its next heartbeat, and records who did.
     *
     * @param signal {@link #QUIET} or {@link #STOP}
     * @param actor  who the audit log names
     * @throws ApiException (404) when no process with this identity is in Sidekiq's processes set; nothing is sent
     */
    public static void send(JobManager manager, String identity, String signal, String actor) {
        if (identity == null || identity.isBlank()) {
            throw new InvalidInputException("identity", "identity is required: the process's hostname:pid:nonce");
        }
        SidekiqRedis redis = manager.sidekiqRedis("Sidekiq's processes");
        if (!redis.browser().knowsProcess(identity)) {
            throw new ApiException(404, "no Sidekiq process with identity " + identity + " in Sidekiq's processes set", "identity");
        }
        redis.actions().signal(identity, signal);
        manager.audit(actor, signal.equals(QUIET) ? "process.quiet" : "process.stop", identity, List.of(), 0, false);
    }
}
