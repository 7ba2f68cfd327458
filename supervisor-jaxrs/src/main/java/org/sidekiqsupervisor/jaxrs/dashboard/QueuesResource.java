package org.sidekiqsupervisor.jaxrs.dashboard;

import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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
import org.sidekiqsupervisor.jaxrs.SidekiqResource;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.sidekiq.SidekiqActionResult;
import org.sidekiqsupervisor.sidekiq.SidekiqPage;
import org.sidekiqsupervisor.sidekiq.SidekiqRedis;

/**
 * {@code /sidekiq/queues}: Sidekiq's queues with size and latency, one queue's jobs a page at a time, and Delete (one
 * job) and Clear (the whole queue), each confirmed first. The actions are the API's ({@code queue.delete},
 * {@code queue.clear}), audited the same way with the dashboard's user. Thread-safe.
 */
@Path("sidekiq")
public final class QueuesResource {
    /** Jobs a queue's page shows, as Sidekiq's Web UI. */
    static final int PAGE_SIZE = 25;

    private final JobManager manager;
    private final Clock clock;
    private final DashboardRenderer renderer;
    private final SidekiqForms forms;

    /** The Queues pages of {@code context}'s Sidekiq. */
    QueuesResource(DashboardContext context, DashboardRenderer renderer) {
        this.manager = context.manager();
        this.clock = context.clock();
        this.renderer = renderer;
        this.forms = new SidekiqForms(context, renderer);
    }

    /** {@code GET /sidekiq/queues}: every queue with its size and latency; refreshes itself while open. */
    @GET
    @Path("queues")
    public Response queues(@Context UriInfo uri, @Context ContainerRequestContext request) {
        return renderer.render(uri, request, "Queues", "queues", true, () -> {
            SidekiqRedis redis = redis();
            Instant now = clock.instant();
            return QueuesPage.of(Layout.root(uri), redis.state(), redis.browser().processes(), now);
        });
    }

    /** {@code GET /sidekiq/queues/{name}?cursor=}: a page of the queue's jobs, the next to run first. */
    @GET
    @Path("queues/{name}")
    public Response queue(@Context UriInfo uri, @Context ContainerRequestContext request, @PathParam("name") String name,
                          @QueryParam("cursor") String cursor) {
        return renderer.render(uri, request, "Queue " + name, "queue", false, () -> {
            SidekiqPage page = redis().browser().queue(name, PAGE_SIZE, cursor);
            // The browser checked the cursor: it is the count of jobs earlier pages listed.
            long offset = cursor == null || cursor.isEmpty() ? 0 : Long.parseLong(cursor);
            return QueuePage.of(Layout.root(uri), name, page, offset, PAGE_SIZE, clock.instant());
        });
    }

    /** {@code GET /sidekiq/queues/{name}/clear}: how many jobs Clear deletes, and the form to confirm it. */
    @GET
    @Path("queues/{name}/clear")
    public Response confirmClear(@Context UriInfo uri, @Context ContainerRequestContext request, @PathParam("name") String name) {
        return forms.confirm(uri, request, "Clear " + name, () -> {
            long size = redis().browser().queue(name, 1, null).size();
            String root = Layout.root(uri);
            return new SidekiqConfirmPage("Clear queue " + name, "This deletes all " + Format.count(size) + " job(s) waiting in "
                    + name + " from Sidekiq's Redis (and any pushed meanwhile). They will not run. This cannot be undone.",
                    List.of(), root + "/queues/" + Format.encode(name) + "/clear", Map.of(),
                    "Clear " + Format.count(size) + " job(s)", root + "/queues/" + Format.encode(name));
        });
    }

    /** {@code POST /sidekiq/queues/{name}/clear}: deletes the queue with every job in it. */
    @POST
    @Path("queues/{name}/clear")
    public Response clear(@Context UriInfo uri, @Context ContainerRequestContext request, @PathParam("name") String name,
                          InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                          @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return forms.act(uri, request, body, type, length, "Clear " + name, form -> {
            SidekiqActionResult result = redis().actions().clearQueue(name, false);
            manager.audit(ActionsResource.actor(request), "queue.clear", "queue:" + name, result.done(), result.count(), false);
            return new SidekiqDonePage("Queue " + name + " cleared", Format.count(result.count()) + " job(s) were deleted from "
                    + name + ".", List.of(), List.of(), Layout.root(uri) + "/queues");
        });
    }

    /** {@code GET /sidekiq/queues/{name}/delete?jid=}: the form to confirm deleting this job from the queue. */
    @GET
    @Path("queues/{name}/delete")
    public Response confirmDelete(@Context UriInfo uri, @Context ContainerRequestContext request, @PathParam("name") String name,
                                  @QueryParam("jid") String jid) {
        return forms.confirm(uri, request, "Delete " + jid, () -> {
            SidekiqResource.jid(jid);
            String root = Layout.root(uri);
            return new SidekiqConfirmPage("Delete job " + jid, "This deletes the job from queue " + name
                    + " in Sidekiq's Redis: it will not run. This cannot be undone.", List.of(jid),
                    root + "/queues/" + Format.encode(name) + "/delete", Map.of("jid", jid), "Delete this job",
                    root + "/queues/" + Format.encode(name));
        });
    }

    /** {@code POST /sidekiq/queues/{name}/delete}: deletes the job with the form's {@code jid} from the queue. */
    @POST
    @Path("queues/{name}/delete")
    public Response delete(@Context UriInfo uri, @Context ContainerRequestContext request, @PathParam("name") String name,
                           InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                           @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return forms.act(uri, request, body, type, length, "Delete", form -> {
            String jid = form.text("jid");
            SidekiqResource.jid(jid);
            SidekiqActionResult result = redis().actions().deleteFromQueue(name, List.of(jid), null, false);
            manager.audit(ActionsResource.actor(request), "queue.delete", "queue:" + name, result.done(), result.count(), false);
            // The person saw the job on the queue's page a moment ago: if it is not there now, it moved meanwhile
            // (it ran, or someone deleted or cleared it), which the API calls "gone" when it happens mid-action.
            List<SidekiqActionResult.Skipped> skipped = result.skipped().stream()
                    .map(s -> new SidekiqActionResult.Skipped(s.jid(), "gone")).toList();
            String message = result.done().isEmpty()
                    ? "Nothing was deleted: job " + jid + " is no longer in " + name + " (it ran, or was moved or deleted meanwhile)."
                    : "Job " + jid + " was deleted from " + name + ".";
            return new SidekiqDonePage(result.done().isEmpty() ? "Nothing deleted" : "Job deleted", message, result.done(), skipped,
                    Layout.root(uri) + "/queues/" + Format.encode(name));
        });
    }

    private SidekiqRedis redis() {
        return manager.sidekiqRedis("Sidekiq's queues");
    }
}
