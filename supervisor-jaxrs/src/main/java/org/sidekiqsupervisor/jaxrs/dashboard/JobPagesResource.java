package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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
import org.sidekiqsupervisor.jaxrs.dashboard.JobListPage.Tab;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.model.JobListing;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobStatus;

/** {@code GET /sidekiq/jobs} and {@code GET /sidekiq/jobs/{job_id}}: the job list and one job's page. Thread-safe. */
@Path("sidekiq")
public final class JobPagesResource {
    private static final int PAGE_SIZE = 50;

    private final JobManager manager;
    private final Clock clock;
    private final DashboardRenderer renderer;

    /** The job pages of {@code context}'s jobs. */
    JobPagesResource(DashboardContext context, DashboardRenderer renderer) {
        this.manager = context.manager();
        this.clock = context.clock();
        this.renderer = renderer;
    }

    /** {@code GET /sidekiq/jobs}: the job list, with the filters and the page's cursor in the URL. */
    @GET
    @Path("jobs")
    public Response jobs(@Context UriInfo uri, @Context ContainerRequestContext request, @QueryParam("status") String status,
                         @QueryParam("filter") String filter, @QueryParam("job_class") String jobClass,
                         @QueryParam("queue") String queue, @QueryParam("range") String range,
                         @QueryParam("since") String since, @QueryParam("until") String until,
                         @QueryParam("cursor") String cursor) {
        Filters filters = Filters.of(status, filter, jobClass, queue, range, since, until);
        return renderer.render(uri, request, "Jobs", "jobs", false, () -> {
            String root = Layout.root(uri);
            Instant now = clock.instant();
            JobListing shown = manager.queries().list(filters.query(now, cursor, PAGE_SIZE), filters.lost());
            List<Tab> tabs = tabs(root, filters);
            List<Row> rows = shown.jobs().stream().map(job -> Row.of(root, job, Boolean.TRUE.equals(shown.lost(job)), now)).toList();
            String nextHref = shown.nextCursor() == null ? null
                    : root + "/jobs" + filters.with("cursor", shown.nextCursor().encode());
            String firstHref = cursor == null || cursor.isEmpty() ? null : root + "/jobs" + filters.queryString();
            return new JobListPage(filters, tabs, rows, nextHref, firstHref);
        });
    }

    /**
     * {@code GET /sidekiq/jobs/{job_id}}: one job, its timeline and its arguments, and where Sidekiq holds it right now;
     * 404 when the supervisor does not know it.
     */
    @GET
    @Path("jobs/{job_id}")
    public Response job(@Context UriInfo uri, @Context ContainerRequestContext request, @PathParam("job_id") String jobId) {
        return renderer.render(uri, request, "Job " + jobId, "job", false, () -> {
            JobDetails details = manager.queries().job(jobId).orElse(null);
            String root = Layout.root(uri);
            if (details == null) {
                return JobDetailPage.missing(jobId, PlaceView.lookUp(manager, root, jobId, null, clock.instant()));
            }
            Job job = details.job();
            PlaceView sidekiq = PlaceView.lookUp(manager, root, jobId, job.queue(), clock.instant());
            boolean lost = Boolean.TRUE.equals(manager.queries().lost(job));
            boolean canRestart = manager.sidekiqConfigured() && job.status() == JobStatus.STARTED && job.restartingTo() == null;
            return JobDetailPage.of(jobId, details, lost, canRestart, sidekiq);
        });
    }

    /** A tab per status, in the order a job goes through them, each keeping the other filters. */
    private List<Tab> tabs(String root, Filters filters) {
        Map<JobStatus, Long> counts = manager.queries().countByStatus();
        long all = counts.values().stream().mapToLong(Long::longValue).sum();
        List<Tab> tabs = new ArrayList<>();
        String current = filters.status() == null ? "all" : filters.status();
        tabs.add(new Tab("All", Format.count(all), root + "/jobs" + filters.with("status", null), current.equals("all")));
        for (JobStatus status : List.of(JobStatus.QUEUED, JobStatus.STARTED)) {
            tabs.add(statusTab(root, filters, counts, status, current));
        }
        if (manager.sidekiqConfigured()) {
            tabs.add(new Tab("Lost", null, root + "/jobs" + filters.with("status", "lost"), current.equals("lost")));
        }
        for (JobStatus status : List.of(JobStatus.COMPLETE, JobStatus.FAILED)) {
            tabs.add(statusTab(root, filters, counts, status, current));
        }
        return tabs;
    }

    private static Tab statusTab(String root, Filters filters, Map<JobStatus, Long> counts, JobStatus status, String current) {
        String name = status.wireName();
        return new Tab(Character.toUpperCase(name.charAt(0)) + name.substring(1), Format.count(counts.getOrDefault(status, 0L)),
                root + "/jobs" + filters.with("status", name), current.equals(name));
    }
}
