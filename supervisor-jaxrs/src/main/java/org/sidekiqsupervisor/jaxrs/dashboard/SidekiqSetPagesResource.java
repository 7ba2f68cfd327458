package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.sidekiqsupervisor.jaxrs.ApiException;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.sidekiq.SidekiqEntryKey;
import org.sidekiqsupervisor.sidekiq.SidekiqJob;
import org.sidekiqsupervisor.sidekiq.SidekiqPage;
import org.sidekiqsupervisor.sidekiq.SidekiqRedis;

/**
 * Sidekiq's sets as its Web UI's pages, at its paths so that bookmarks carry over: {@code GET /sidekiq/retries},
 * {@code /sidekiq/scheduled} and {@code /sidekiq/morgue} a page at a time, and one entry at
 * {@code /sidekiq/{set}/{score}-{jid}}. The actions are {@link SidekiqSetActionsResource}'s. Any other name under
 * {@code /sidekiq/} that no page claims gets a 404 page saying where the sets are. Thread-safe.
 */
@Path("sidekiq")
public final class SidekiqSetPagesResource {
    /** Entries a page shows, as Sidekiq's Web UI. */
    static final int PAGE_SIZE = 25;

    private final JobManager manager;
    private final Clock clock;
    private final DashboardRenderer renderer;

    /** The set pages of {@code context}'s Sidekiq. */
    SidekiqSetPagesResource(DashboardContext context, DashboardRenderer renderer) {
        this.manager = context.manager();
        this.clock = context.clock();
        this.renderer = renderer;
    }

    /**
     * {@code GET /sidekiq/{retries|scheduled|morgue}?filter=&cursor=}: a page of the set in Sidekiq's order (soonest
     * retry or run first, latest death first), only the entries holding {@code filter}.
     */
    @GET
    @Path("{set}")
    public Response set(@Context UriInfo uri, @Context ContainerRequestContext request, @PathParam("set") String path,
                        @QueryParam("filter") String filter, @QueryParam("cursor") String cursor) {
        // Live: the page refreshes itself while the Live toggle is on. A refresh replaces the table, which would drop
        // the rows a user ticked (Sidekiq's Live Poll does, which is why it is opt-in there); dashboard.js skips a
        // refresh while a row is ticked or a field has the focus instead, so the toggle can stay on.
        return renderer.render(uri, request, SidekiqSetView.titleOf(path), path, "sidekiqset", true, () -> {
            SidekiqSetView view = SidekiqSetView.of(path);
            String narrowed = filter == null || filter.isEmpty() ? null : filter;
            SidekiqPage page = redis(view).browser().page(view.set(), narrowed, PAGE_SIZE, cursor);
            String root = Layout.root(uri);
            String href = root + "/" + view.path();
            Instant now = clock.instant();
            List<SidekiqSetRow> rows = page.jobs().stream().map(job -> SidekiqSetRow.of(root, view, job, now)).toList();
            Map<String, String> query = new LinkedHashMap<>();
            query.put("filter", narrowed);
            String firstHref = cursor == null || cursor.isEmpty() ? null : href + Format.query(query);
            String nextHref = null;
            if (page.nextCursor() != null) {
                query.put("cursor", page.nextCursor());
                nextHref = href + Format.query(query);
            }
            List<SidekiqSetPage.Choice> all = view.actions().stream().map(action -> {
                Map<String, String> confirm = new LinkedHashMap<>();
                confirm.put("action", SidekiqSetView.wireName(action));
                confirm.put("filter", narrowed);
                return new SidekiqSetPage.Choice(SidekiqSetView.wireName(action), SidekiqSetView.allLabel(action)
                        + (narrowed == null ? "" : " matching"), true, href + "/all" + Format.query(confirm));
            }).toList();
            return new SidekiqSetPage(view, href, narrowed, page.size(), rows, nextHref, firstHref,
                    view.actions().stream().map(SidekiqSetPage.Choice::selected).toList(), all);
        });
    }

    /**
     * {@code GET /sidekiq/{retries|scheduled|morgue}/{score}-{jid}}: one entry, found by one bounded
     * {@code ZRANGEBYSCORE} at its score; 404 once it has left the set.
     */
    @GET
    @Path("{set}/{key}")
    public Response entry(@Context UriInfo uri, @Context ContainerRequestContext request, @PathParam("set") String path,
                          @PathParam("key") String key) {
        return renderer.render(uri, request, SidekiqSetView.titleOf(path), path, "sidekiqentry", false, () -> {
            SidekiqSetView view = SidekiqSetView.of(path);
            SidekiqEntryKey parsed = SidekiqEntryKey.parse(key);
            SidekiqJob job = redis(view).browser().entry(view.set(), parsed.score(), parsed.jid()).orElseThrow(() ->
                    new ApiException(404, "Job " + parsed.jid() + " is no longer in " + view.title() + " at that time: Sidekiq "
                            + "may have retried or run it, or someone acted on it. Its page /sidekiq/jobs/" + parsed.jid()
                            + " shows where it is now.", "key"));
            return SidekiqEntryPage.of(Layout.root(uri), view, job, clock.instant());
        });
    }

    private SidekiqRedis redis(SidekiqSetView view) {
        return manager.sidekiqRedis("Sidekiq's " + view.title());
    }
}
