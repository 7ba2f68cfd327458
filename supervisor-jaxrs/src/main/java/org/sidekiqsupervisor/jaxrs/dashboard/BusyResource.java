package org.sidekiqsupervisor.jaxrs.dashboard;

import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.sidekiqsupervisor.jaxrs.ApiException;
import org.sidekiqsupervisor.jaxrs.SidekiqSignals;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.sidekiq.SidekiqProcess;
import org.sidekiqsupervisor.sidekiq.SidekiqRedis;

/**
 * {@code /sidekiq/busy}: Sidekiq's live processes and what they run, with Quiet and Stop for one process or all of
 * them. Quiet of one process acts at once (it only stops fetching jobs); Stop and the "All" ones show a confirmation
 * first. Every signal goes through {@link SidekiqSignals}, as the API's, and is audited. Thread-safe.
 */
@Path("sidekiq")
public final class BusyResource {
    private final JobManager manager;
    private final Clock clock;
    private final DashboardRenderer renderer;
    private final SidekiqForms forms;

    /** The Busy page of {@code context}'s Sidekiq. */
    BusyResource(DashboardContext context, DashboardRenderer renderer) {
        this.manager = context.manager();
        this.clock = context.clock();
        this.renderer = renderer;
        this.forms = new SidekiqForms(context, renderer);
    }

    /** {@code GET /sidekiq/busy}: the status boxes, the processes and the running jobs; refreshes itself while open. */
    @GET
    @Path("busy")
    public Response busy(@Context UriInfo uri, @Context ContainerRequestContext request) {
        return renderer.render(uri, request, "Busy", "busy", true,
                () -> BusyPage.of(Layout.root(uri), redis().browser().processes(), clock.instant()));
    }

    /** {@code POST /sidekiq/busy/quiet}: the process named by the form's {@code identity} stops fetching new jobs. */
    @POST
    @Path("busy/quiet")
    public Response quiet(@Context UriInfo uri, @Context ContainerRequestContext request, InputStream body,
                          @HeaderParam(HttpHeaders.CONTENT_TYPE) String type, @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return forms.act(uri, request, body, type, length, "Quiet",
                form -> signal(uri, request, Collections.singletonList(form.text("identity")), SidekiqSignals.QUIET));
    }

    /** {@code GET /sidekiq/busy/stop?identity=}: what Stop of this process does, and the form to confirm it. */
    @GET
    @Path("busy/stop")
    public Response confirmStop(@Context UriInfo uri, @Context ContainerRequestContext request, @QueryParam("identity") String identity) {
        return forms.confirm(uri, request, "Stop", () -> {
            SidekiqProcess process = live().stream().filter(p -> p.identity().equals(identity)).findFirst()
                    .orElseThrow(() -> new ApiException(404, "no live Sidekiq process with identity " + identity, "identity"));
            return new SidekiqConfirmPage("Stop " + process.hostname() + ":" + process.pid(),
                    "This process shuts down on its next heartbeat (within seconds). Its " + process.busy()
                            + " running job(s) get Sidekiq's shutdown timeout to finish; those that do not are pushed back to their queues.",
                    List.of(process.identity()), Layout.root(uri) + "/busy/stop", Map.of("identity", process.identity()),
                    "Stop this process", Layout.root(uri) + "/busy");
        });
    }

    /** {@code POST /sidekiq/busy/stop}: the process named by the form's {@code identity} shuts down. */
    @POST
    @Path("busy/stop")
    public Response stop(@Context UriInfo uri, @Context ContainerRequestContext request, InputStream body,
                         @HeaderParam(HttpHeaders.CONTENT_TYPE) String type, @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return forms.act(uri, request, body, type, length, "Stop",
                form -> signal(uri, request, Collections.singletonList(form.text("identity")), SidekiqSignals.STOP));
    }

    /** {@code GET /sidekiq/busy/quiet-all}: how many processes Quiet All tells, and the form to confirm it. */
    @GET
    @Path("busy/quiet-all")
    public Response confirmQuietAll(@Context UriInfo uri, @Context ContainerRequestContext request) {
        return forms.confirm(uri, request, "Quiet all", () -> confirmAll(uri, "Quiet", "stop fetching new jobs on their next "
                + "heartbeat and finish the ones they run", "quiet-all"));
    }

    /** {@code POST /sidekiq/busy/quiet-all}: every live process stops fetching new jobs. */
    @POST
    @Path("busy/quiet-all")
    public Response quietAll(@Context UriInfo uri, @Context ContainerRequestContext request, InputStream body,
                             @HeaderParam(HttpHeaders.CONTENT_TYPE) String type, @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return forms.act(uri, request, body, type, length, "Quiet all", form -> signal(uri, request, identities(), SidekiqSignals.QUIET));
    }

    /** {@code GET /sidekiq/busy/stop-all}: how many processes Stop All shuts down, and the form to confirm it. */
    @GET
    @Path("busy/stop-all")
    public Response confirmStopAll(@Context UriInfo uri, @Context ContainerRequestContext request) {
        return forms.confirm(uri, request, "Stop all", () -> confirmAll(uri, "Stop", "shut down on their next heartbeat", "stop-all"));
    }

    /** {@code POST /sidekiq/busy/stop-all}: every live process shuts down. */
    @POST
    @Path("busy/stop-all")
    public Response stopAll(@Context UriInfo uri, @Context ContainerRequestContext request, InputStream body,
                            @HeaderParam(HttpHeaders.CONTENT_TYPE) String type, @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return forms.act(uri, request, body, type, length, "Stop all", form -> signal(uri, request, identities(), SidekiqSignals.STOP));
    }

    private SidekiqConfirmPage confirmAll(UriInfo uri, String verb, String effect, String path) {
        List<SidekiqProcess> live = live();
        String root = Layout.root(uri);
        List<String> items = live.stream().map(p -> p.identity() + (p.quiet() ? " (quiet)" : "")).toList();
        if (live.isEmpty()) {
            return new SidekiqConfirmPage(verb + " all processes", "No Sidekiq process is running: there is nothing to "
                    + verb.toLowerCase() + ".", items, null, Map.of(), "", root + "/busy");
        }
        return new SidekiqConfirmPage(verb + " all " + live.size() + " processes", "All " + live.size()
                + " live Sidekiq process(es) will " + effect + ".", items, root + "/busy/" + path, Map.of(),
                verb + " all " + live.size() + " processes", root + "/busy");
    }

    /** Sends the signal to each process, through the API's one way, and says what was sent. */
    private SidekiqDonePage signal(UriInfo uri, ContainerRequestContext request, List<String> identities, String signal) {
        String actor = ActionsResource.actor(request);
        List<String> done = new ArrayList<>();
        for (String identity : identities) {
            SidekiqSignals.send(manager, identity, signal, actor);
            done.add(identity);
        }
        boolean quiet = signal.equals(SidekiqSignals.QUIET);
        String message = done.isEmpty() ? "No Sidekiq process is running: nothing was sent."
                : (quiet ? "Quiet" : "Stop") + " was sent to " + done.size() + " process(es). Each obeys on its next heartbeat, "
                + "within seconds" + (quiet ? ": it fetches no new jobs and finishes the ones it runs." : ": it shuts down.");
        return new SidekiqDonePage(quiet ? "Quiet sent" : "Stop sent", message, done, List.of(), Layout.root(uri) + "/busy");
    }

    private List<String> identities() {
        return live().stream().map(SidekiqProcess::identity).toList();
    }

    private List<SidekiqProcess> live() {
        return redis().browser().processes();
    }

    private SidekiqRedis redis() {
        return manager.sidekiqRedis("Sidekiq's processes");
    }
}
