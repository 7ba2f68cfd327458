package org.sidekiqsupervisor.jaxrs;

import java.time.Clock;
import java.util.Objects;

import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.jaxrs.dashboard.Dashboard;
import org.sidekiqsupervisor.jaxrs.dashboard.DashboardContext;
import org.sidekiqsupervisor.jaxrs.dashboard.DashboardGuard;

/**
 * Mounts the whole supervisor on a Jersey application with one call:
 * <pre>{@code
 * ResourceConfig app = new ResourceConfig().register(new SupervisorFeature(supervisor));
 * }</pre>
 * The endpoints are relative to wherever the application is mounted ({@code /api/v1/...}, {@code /health}, and the
 * dashboard at {@code /sidekiq}).
 * The host keeps ownership of the {@link Supervisor} and closes it.
 */
public final class SupervisorFeature implements Feature {
    private final Supervisor supervisor;

    public SupervisorFeature(Supervisor supervisor) {
        this.supervisor = Objects.requireNonNull(supervisor, "supervisor");
    }

    @Override
    public boolean configure(FeatureContext context) {
        context.register(new EventsResource(supervisor.jobManager(), supervisor.maxBodyBytes()));
        context.register(new JobsResource(supervisor.jobManager(), supervisor.maxBodyBytes()));
        context.register(new HealthResource(supervisor.jobManager()));
        context.register(new OpenApiResource());
        context.register(new MetricsResource(supervisor.meterRegistry()));
        Dashboard.register(context, new DashboardContext(supervisor.jobManager(), supervisor.storeDescription(),
                supervisor.maxBodyBytes(), Clock.systemUTC()));
        context.register(new DashboardGuard(supervisor.dashboardLogin()));
        context.register(ErrorMapper.class);
        context.register(ContentTypeFilter.class);
        if (supervisor.noopEndpoint()) {
            context.register(new NoopResource(supervisor.maxBodyBytes()));
        }
        if (supervisor.apiToken() != null) {
            context.register(new ApiTokenFilter(supervisor.apiToken()));
        }
        return true;
    }
}
