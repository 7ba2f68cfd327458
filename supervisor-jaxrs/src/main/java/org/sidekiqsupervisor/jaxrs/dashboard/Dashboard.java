package org.sidekiqsupervisor.jaxrs.dashboard;

import jakarta.ws.rs.core.FeatureContext;

/**
 * The {@code /sidekiq} dashboard: server-rendered pages over the job manager, a resource per page family. Pages read
 * well without JavaScript; the one script (live refresh, local times) only improves them. {@link DashboardGuard}
 * stands in front of it.
 */
public final class Dashboard {
    private Dashboard() {
    }

    /** Registers the dashboard's resources, all over {@code context}. */
    public static void register(FeatureContext features, DashboardContext context) {
        DashboardRenderer renderer = new DashboardRenderer(context);
        features.register(new OverviewResource(context, renderer));
        features.register(new JobPagesResource(context, renderer));
        features.register(new ActionsResource(context, renderer));
        features.register(new AuditPageResource(context, renderer));
        features.register(new BusyResource(context, renderer));
        features.register(new QueuesResource(context, renderer));
        features.register(new SidekiqSetPagesResource(context, renderer));
        features.register(new SidekiqSetActionsResource(context, renderer));
        features.register(new AssetsResource());
    }
}
