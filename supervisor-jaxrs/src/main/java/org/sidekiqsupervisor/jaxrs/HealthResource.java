package org.sidekiqsupervisor.jaxrs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.sidekiq.SidekiqUnavailableException;
import org.sidekiqsupervisor.store.StoreException;

/**
 * {@code GET /health}: 200 when the store (and Sidekiq's Redis, where configured) answer, 503 otherwise. Open even
 * when a token is set.
 */
@Path("health")
public final class HealthResource {
    private final JobManager manager;

    /** The health check over {@code manager}'s store and Redis. */
    public HealthResource(JobManager manager) {
        this.manager = manager;
    }

    /** {@code GET /health}: 200 when the store (and Redis, where configured) answer, else 503. */
    @GET
    public Response health() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        int status = 200;
        node.put("status", "ok");
        try {
            manager.maintenance().checkStore();
            node.put("store", "ok");
        } catch (StoreException e) {
            status = 503;
            node.put("status", "unavailable");
            node.put("store", e.getMessage());
        }
        if (manager.sidekiqConfigured()) {
            try {
                manager.maintenance().checkSidekiq();
                node.put("redis", "ok");
            } catch (SidekiqUnavailableException e) {
                status = 503;
                node.put("status", "unavailable");
                node.put("redis", e.getMessage());
            }
        }
        node.put("version", Supervisor.version());
        return Responses.json(status, node).header("Cache-Control", "no-store").build();
    }
}
