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
    private final HttpSettings settings;

    /** The supervisor with an open API and dashboard and the default body limit ({@link HttpSettings#DEFAULTS}). */
    public SupervisorFeature(Supervisor supervisor) {
        this(supervisor, HttpSettings.DEFAULTS);
    }

    /** The supervisor served with these HTTP settings (API token, dashboard sign-in, body limit). */
    public SupervisorFeature(Supervisor supervisor, HttpSettings settings) {
        this.supervisor = Objects.requireNonNull(supervisor, "supervisor");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public boolean configure(FeatureContext context) {
        context.register(new EventsResource(supervisor.jobManager(), settings.maxBodyBytes()));
        context.register(new JobsResource(supervisor.jobManager(), settings.maxBodyBytes()));
        context.register(new SidekiqResource(supervisor.jobManager(), settings.maxBodyBytes()));
        context.register(new AuditResource(supervisor.jobManager()));
        context.register(new HealthResource(supervisor.jobManager()));
        context.register(new OpenApiResource());
        context.register(new MetricsResource(supervisor.meterRegistry()));
        Dashboard.register(context, new DashboardContext(supervisor.jobManager(), supervisor.storeDescription(),
                settings.maxBodyBytes(), Clock.systemUTC(), settings.readOnly()));
        context.register(new DashboardGuard(settings.dashboardLogin()));
        context.register(ErrorMapper.class);
        context.register(ContentTypeFilter.class);
        if (settings.readOnly()) {
            context.register(new ReadOnlyFilter());
        }
        if (settings.noopEndpoint()) {
            context.register(new NoopResource(settings.maxBodyBytes()));
        }
        if (settings.apiToken() != null) {
            context.register(new ApiTokenFilter(settings.apiToken()));
        }
        return true;
    }
}
