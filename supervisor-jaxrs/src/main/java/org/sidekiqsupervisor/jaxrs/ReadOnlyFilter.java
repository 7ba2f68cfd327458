package org.sidekiqsupervisor.jaxrs;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code --read-only}: every request that acts on jobs answers 403 before it reaches a resource, so nothing changes —
 * the API's restarts and Sidekiq actions, and every form the dashboard posts. Ingest (the middlewares' reports) and
 * every read go on as usual. Registered only on a read-only supervisor; one filter, so an action added later is
 * covered without a check of its own.
 */
@PreMatching
@Priority(Priorities.AUTHORIZATION)
public final class ReadOnlyFilter implements ContainerRequestFilter {
    static final String MESSAGE = "this supervisor is read-only (--read-only): restarts, deletes and actions on Sidekiq's "
            + "jobs and processes are turned off";

    @Override
    public void filter(ContainerRequestContext request) {
        if (!"POST".equals(request.getMethod()) && !"DELETE".equals(request.getMethod())) {
            return;
        }
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
        if (path.equals("sidekiq") || path.startsWith("sidekiq/")) {
            request.abortWith(Response.status(403).type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8"))
                    .entity("This supervisor is read-only (started with --read-only). Nothing was changed.\n").build());
        } else if (path.equals("api/v1/jobs/restart") || path.startsWith("api/v1/sidekiq/")) {
            request.abortWith(Responses.error(403, MESSAGE, null));
        }
    }
}
