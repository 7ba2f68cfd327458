package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.sidekiqsupervisor.jaxrs.dashboard.Charts.Chart;
import org.sidekiqsupervisor.jaxrs.dashboard.OverviewPage.SidekiqPanel;
import org.sidekiqsupervisor.jaxrs.dashboard.OverviewPage.Tile;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.manager.JobQueries;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.ClassTimings;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.sidekiq.SidekiqUnavailableException;

/** {@code GET /sidekiq}: the overview of the jobs, their rates and timings, and Sidekiq's live state. Thread-safe. */
@Path("sidekiq")
public final class OverviewResource {
    private final JobManager manager;
    private final Clock clock;
    private final DashboardRenderer renderer;

    /** The overview of {@code context}'s jobs. */
    OverviewResource(DashboardContext context, DashboardRenderer renderer) {
        this.manager = context.manager();
        this.clock = context.clock();
        this.renderer = renderer;
    }

    /** {@code GET /sidekiq}: the overview over the {@code range} (the last hour when none is given). */
    @GET
    public Response overview(@Context UriInfo uri, @Context ContainerRequestContext request, @QueryParam("range") String rangeName) {
        return renderer.render(uri, request, "Overview", "overview", true, () -> {
            Range range = Range.named(rangeName, Range.DEFAULT);
            Instant now = clock.instant();
            Instant since = now.minus(range.length());
            Map<JobStatus, Long> counts = manager.queries().countByStatus();
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            String root = Layout.root(uri);
            List<Tile> tiles = statusTiles(root, counts);
            Tile lost = lostTile(root);
            Activity activity = manager.queries().activity(since, range.bucket(), 50);
            Chart rate = Charts.eventRate(activity.eventCounts(), since, now, range.bucket(), root + "/jobs");
            List<ClassTimings> timings = activity.classTimings();
            return new OverviewPage(tiles, lost, total == 0, uri.getBaseUri().toString().replaceAll("/+$", ""), range, rate,
                    timings, Charts.runTimes(timings), sidekiqPanel());
        });
    }

    private static List<Tile> statusTiles(String root, Map<JobStatus, Long> counts) {
        List<Tile> tiles = new ArrayList<>();
        for (JobStatus status : List.of(JobStatus.QUEUED, JobStatus.STARTED, JobStatus.COMPLETE, JobStatus.FAILED)) {
            tiles.add(new Tile(status.wireName(), Format.count(counts.getOrDefault(status, 0L)),
                    root + "/jobs?status=" + status.wireName(), "status-" + status.wireName()));
        }
        return tiles;
    }

    /** The lost count (what the looks at Sidekiq found, read from the store), or null with no Redis. */
    private Tile lostTile(String root) {
        if (!manager.sidekiqConfigured()) {
            return null;
        }
        String href = root + "/jobs?status=lost";
        long lost = manager.queries().countLost();
        return new Tile("lost", Format.count(lost) + (lost >= JobQueries.LOST_COUNT_CAP ? "+" : ""), href, "status-lost");
    }

    /** Sidekiq's live state, or why it cannot be shown. */
    private SidekiqPanel sidekiqPanel() {
        if (!manager.sidekiqConfigured()) {
            return new SidekiqPanel(false, null, null);
        }
        try {
            return new SidekiqPanel(true, manager.sidekiqState(), null);
        } catch (SidekiqUnavailableException e) {
            return new SidekiqPanel(true, null, e.getMessage());
        }
    }
}
