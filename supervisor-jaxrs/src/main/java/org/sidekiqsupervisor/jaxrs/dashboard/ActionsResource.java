package org.sidekiqsupervisor.jaxrs.dashboard;

import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.manager.Maintenance;
import org.sidekiqsupervisor.model.JobListing;
import org.sidekiqsupervisor.model.DeleteResult;
import org.sidekiqsupervisor.model.RestartRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's actions: restarting one lost job, and restarting the lost jobs or deleting the jobs on a filter.
 * Acting on a filter takes two steps: a GET shows what would be done and the form to confirm it, and the form's
 * POST does it. Every POST needs the CSRF token ({@link PostedForms}). Thread-safe.
 */
@Path("sidekiq")
public final class ActionsResource {
    private static final Logger LOG = LoggerFactory.getLogger(ActionsResource.class);
    /** How many matching jobs the delete confirmation lists. */
    private static final int DELETE_PREVIEW_SIZE = 20;

    private final JobManager manager;
    private final Clock clock;
    private final DashboardRenderer renderer;
    private final PostedForms forms;

    /** The actions on {@code context}'s jobs. */
    ActionsResource(DashboardContext context, DashboardRenderer renderer) {
        this.manager = context.manager();
        this.clock = context.clock();
        this.renderer = renderer;
        this.forms = new PostedForms(context.maxBodyBytes());
    }

    /** {@code POST /sidekiq/jobs/{job_id}/restart}: restarts this job if it is lost. */
    @POST
    @Path("jobs/{job_id}/restart")
    public Response restartOne(@Context UriInfo uri, @Context ContainerRequestContext request, @PathParam("job_id") String jobId,
                               InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                               @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return forms.posted(request, body, type, length, form -> renderer.render(uri, request, "Restart", "restarted", false, () -> {
            RestartRequest one = new RestartRequest(null, RestartRequest.Scope.LOST, null, false, 1).onlyJob(jobId);
            return RestartPage.of(manager.restart(one, actor(request)), null);
        }));
    }

    /** {@code GET /sidekiq/restart}: a dry run of restarting the lost jobs on these filters, and the form to confirm it. */
    @GET
    @Path("restart")
    public Response confirmRestart(@Context UriInfo uri, @Context ContainerRequestContext request, @QueryParam("filter") String filter,
                                   @QueryParam("job_class") String jobClass, @QueryParam("queue") String queue) {
        Filters filters = Filters.of("lost", filter, jobClass, queue, null, null, null);
        return renderer.confirmation(uri, request, "Restart lost jobs", "restart", "restart",
                () -> RestartPage.of(manager.restart(restartRequest(filters, true)), filters));
    }

    /** {@code POST /sidekiq/restart}: restarts the lost jobs on the posted filters. */
    @POST
    @Path("restart")
    public Response restartAll(@Context UriInfo uri, @Context ContainerRequestContext request, InputStream body,
                               @HeaderParam(HttpHeaders.CONTENT_TYPE) String type, @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return forms.posted(request, body, type, length, form -> {
            Filters filters = Filters.posted(form, "lost");
            return renderer.render(uri, request, "Restart lost jobs", "restarted", false,
                    () -> RestartPage.of(manager.restart(restartRequest(filters, false), actor(request)), filters));
        });
    }

    /** Who the audit log names: the HTTP Basic user signed in to the dashboard, else {@code dashboard}. */
    static String actor(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(java.util.Base64.getDecoder().decode(header.substring(6).trim()),
                        java.nio.charset.StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    return decoded.substring(0, colon);
                }
            } catch (IllegalArgumentException e) {
                // not Base64: no user to name
            }
        }
        return "dashboard";
    }

    private static RestartRequest restartRequest(Filters filters, boolean dryRun) {
        return new RestartRequest(filters.filter(), RestartRequest.Scope.LOST, null, dryRun, RestartRequest.DEFAULT_LIMIT,
                filters.jobClass(), filters.queue(), null);
    }

    /** {@code GET /sidekiq/delete}: what a delete on these filters would remove, and the form to confirm it. */
    @GET
    @Path("delete")
    public Response confirmDelete(@Context UriInfo uri, @Context ContainerRequestContext request, @QueryParam("status") String status,
                                  @QueryParam("filter") String filter, @QueryParam("job_class") String jobClass,
                                  @QueryParam("queue") String queue, @QueryParam("range") String range,
                                  @QueryParam("since") String since, @QueryParam("until") String until) {
        Filters filters = Filters.of(status, filter, jobClass, queue, range, since, until);
        return renderer.confirmation(uri, request, "Delete jobs", "delete", "delete", () -> {
            String root = Layout.root(uri);
            Instant now = clock.instant();
            // The preview flags no job lost unless it lists the lost ones: one question fewer to Redis.
            JobListing preview = manager.queries().list(filters.query(now, null, DELETE_PREVIEW_SIZE), filters.lost());
            return new DeletePreviewPage(filters,
                    preview.jobs().stream().map(job -> Row.of(root, job, Boolean.TRUE.equals(preview.lost(job)), now)).toList(),
                    preview.nextCursor() != null, Format.count(Maintenance.DELETE_LIMIT));
        });
    }

    /** {@code POST /sidekiq/delete}: deletes the jobs on the posted filters. */
    @POST
    @Path("delete")
    public Response delete(@Context UriInfo uri, @Context ContainerRequestContext request, InputStream body,
                           @HeaderParam(HttpHeaders.CONTENT_TYPE) String type, @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return forms.posted(request, body, type, length, form -> {
            Filters filters = Filters.posted(form, form.text("status"));
            return renderer.render(uri, request, "Delete jobs", "deleted", false, () -> {
                DeleteResult result = manager.delete(filters.query(clock.instant(), null, 1), filters.lost(),
                        actor(request));
                LOG.info("dashboard: deleted {} jobs matching {}", result.deleted(), filters.queryString());
                return new DeletedPage(filters, result);
            });
        });
    }
}
