package org.sidekiqsupervisor.jaxrs;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /metrics}: the supervisor's metrics in Prometheus text format, when it keeps its own Prometheus
 * registry (the default). A host that gave the supervisor its own registry publishes them itself; then this answers
 * 404 saying so. Needs no token, as Prometheus scrapes it.
 */
@Path("metrics")
public final class MetricsResource {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private final MeterRegistry registry;

    public MetricsResource(MeterRegistry registry) {
        this.registry = registry;
    }

    @GET
    public Response scrape() {
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            return Response.ok(prometheus.scrape(), PROMETHEUS_TEXT).header("Cache-Control", "no-store").build();
        }
        throw new ApiException(404, "this supervisor's metrics go to the host application's own registry", null);
    }
}
