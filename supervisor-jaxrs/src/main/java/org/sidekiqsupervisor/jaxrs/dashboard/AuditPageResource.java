package org.sidekiqsupervisor.jaxrs.dashboard;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.sidekiqsupervisor.jaxrs.AuditResource;
import org.sidekiqsupervisor.manager.JobManager;

/** {@code GET /sidekiq/audit}: the audit log as a page, the same entries as {@code GET /api/v1/audit}. Thread-safe. */
@Path("sidekiq")
public final class AuditPageResource {
    private final JobManager manager;
    private final DashboardRenderer renderer;

    /** The audit page of {@code context}'s store. */
    AuditPageResource(DashboardContext context, DashboardRenderer renderer) {
        this.manager = context.manager();
        this.renderer = renderer;
    }

    /** {@code GET /sidekiq/audit?cursor=}: a page of the audit log, newest first. */
    @GET
    @Path("audit")
    public Response audit(@Context UriInfo uri, @Context ContainerRequestContext request, @QueryParam("cursor") String cursor) {
        return renderer.render(uri, request, "Audit log", "audit", false, () -> {
            AuditResource.Page page = AuditResource.page(manager, null, cursor);
            String root = Layout.root(uri);
            return new AuditPage(page.entries(),
                    page.nextCursor() == null ? null : root + "/audit?cursor=" + Format.encode(page.nextCursor()),
                    cursor == null || cursor.isEmpty() ? null : root + "/audit");
        });
    }
}
