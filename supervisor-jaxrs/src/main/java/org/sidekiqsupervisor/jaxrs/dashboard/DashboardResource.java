package org.sidekiqsupervisor.jaxrs.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.jaxrs.RequestBody;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.model.ClassTimings;
import org.sidekiqsupervisor.model.DeleteResult;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobEventRecord;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.PageCursor;
import org.sidekiqsupervisor.model.RestartRequest;
import org.sidekiqsupervisor.model.RestartResult;
import org.sidekiqsupervisor.sidekiq.SidekiqNotConfiguredException;
import org.sidekiqsupervisor.sidekiq.SidekiqState;
import org.sidekiqsupervisor.sidekiq.SidekiqUnavailableException;
import org.sidekiqsupervisor.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /sidekiq} dashboard: server-rendered pages over the {@link JobManager}. Templates are jte, compiled at
 * build time, in HTML mode: every value is escaped for where it stands. Pages read well without JavaScript;
 * the one script (live refresh, local times) only improves them. Thread-safe.
 */
@Path("sidekiq")
public final class DashboardResource {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardResource.class);
    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(null, ContentType.Html,
            DashboardResource.class.getClassLoader(), "org.sidekiqsupervisor.jaxrs.dashboard.templates");
    private static final MediaType HTML = MediaType.TEXT_HTML_TYPE.withCharset("UTF-8");
    private static final int PAGE_SIZE = 50;
    /** Assets served from the jar, by name, with their types. */
    private static final Map<String, String> ASSETS = Map.of(
            "dashboard.css", "text/css; charset=UTF-8",
            "dashboard.js", "text/javascript; charset=UTF-8",
            "favicon.svg", "image/svg+xml");

    private final JobManager manager;
    private final Supervisor supervisor;
    private final Clock clock;
    private final long maxBodyBytes;

    /** The dashboard over this supervisor's job manager, reading posted forms up to {@code maxBodyBytes}. */
    public DashboardResource(Supervisor supervisor, long maxBodyBytes) {
        this.supervisor = supervisor;
        this.maxBodyBytes = maxBodyBytes;
        this.manager = supervisor.jobManager();
        this.clock = Clock.systemUTC();
    }

    /** A time window the overview and the job list can be narrowed to. */
    public record Range(String name, String label, Duration length, Duration bucket) {
    }

    static final List<Range> RANGES = List.of(
            new Range("15m", "last 15 minutes", Duration.ofMinutes(15), Duration.ofSeconds(15)),
            new Range("1h", "last hour", Duration.ofHours(1), Duration.ofMinutes(1)),
            new Range("24h", "last 24 hours", Duration.ofHours(24), Duration.ofMinutes(15)),
            new Range("7d", "last 7 days", Duration.ofDays(7), Duration.ofHours(2)),
            new Range("30d", "last 30 days", Duration.ofDays(30), Duration.ofHours(12)));

    private static Range range(String name, Range absent) {
        if (name == null || name.isEmpty()) {
            return absent;
        }
        return RANGES.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new InvalidInputException("range", "range must be one of "
                        + RANGES.stream().map(Range::name).collect(Collectors.joining(", ")) + " (got " + InvalidInputException.quote(name) + ")"));
    }

    // ---- overview ----

    /** {@code GET /sidekiq}: the overview. */
    @GET
    public Response overview(@Context UriInfo uri, @Context ContainerRequestContext request, @QueryParam("range") String rangeName) {
        return page(uri, request, "Overview", () -> {
            Range range = range(rangeName, RANGES.get(1));
            Instant now = clock.instant();
            Instant since = now.minus(range.length());
            Map<JobStatus, Long> counts = manager.countByStatus();
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            String root = root(uri);
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("counts", statusTiles(root, counts));
            model.put("lost", lostCount(root, counts));
            model.put("empty", total == 0);
            model.put("apiUrl", uri.getBaseUri().toString().replaceAll("/+$", ""));
            model.put("range", range);
            model.put("ranges", RANGES);
            model.put("rate", Charts.eventRate(manager.eventCounts(since, range.bucket()), since, now, range.bucket(), root + "/jobs"));
            List<ClassTimings> timings = manager.classTimings(since, 50);
            model.put("timings", timings);
            model.put("runChart", Charts.runTimes(timings));
            model.put("sidekiq", sidekiqPanel());
            return model;
        }, "overview", true);
    }

    /** One tile of the status counts. */
    public record Tile(String label, String count, String href, String cssClass) {
    }

    private static List<Tile> statusTiles(String root, Map<JobStatus, Long> counts) {
        List<Tile> tiles = new ArrayList<>();
        for (JobStatus status : List.of(JobStatus.QUEUED, JobStatus.STARTED, JobStatus.COMPLETE, JobStatus.FAILED)) {
            tiles.add(new Tile(status.wireName(), Format.count(counts.getOrDefault(status, 0L)),
                    root + "/jobs?status=" + status.wireName(), "status-" + status.wireName()));
        }
        return tiles;
    }

    /** The lost count, or null with no Redis; a note instead of a number when Redis does not answer. */
    private Tile lostCount(String root, Map<JobStatus, Long> counts) {
        if (!manager.sidekiqConfigured()) {
            return null;
        }
        String href = root + "/jobs?status=lost";
        try {
            long started = counts.getOrDefault(JobStatus.STARTED, 0L);
            long lost = manager.countLost(JobManager.NEWEST_STARTED_SCAN);
            return started > JobManager.NEWEST_STARTED_SCAN
                    ? new Tile("lost (of the newest " + Format.count(JobManager.NEWEST_STARTED_SCAN) + " started)", Format.count(lost) + "+", href, "status-lost")
                    : new Tile("lost", Format.count(lost), href, "status-lost");
        } catch (SidekiqUnavailableException e) {
            return new Tile("lost: Redis does not answer", "?", href, "status-lost");
        }
    }

    /** Sidekiq's live state for the overview, or the reason it cannot be shown. */
    public record SidekiqPanel(boolean configured, SidekiqState state, String error) {
    }

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

    // ---- the job list ----

    /** The job list's filters, as the URL carries them. */
    public record Filters(String status, String filter, String jobClass, String queue, String range, String since, String until) {
        Map<String, String> parameters() {
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("status", status);
            parameters.put("filter", filter);
            parameters.put("job_class", jobClass);
            parameters.put("queue", queue);
            parameters.put("range", range);
            parameters.put("since", since);
            parameters.put("until", until);
            return parameters;
        }

        /** The query string of these filters, with {@code name} set to {@code value}. */
        public String with(String name, String value) {
            Map<String, String> parameters = parameters();
            parameters.put(name, value);
            return Format.query(parameters);
        }

        /** These filters as a query string. */
        public String queryString() {
            return Format.query(parameters());
        }

        /** Whether these filters show the lost jobs. */
        public boolean lost() {
            return "lost".equals(status);
        }

        boolean narrowed() {
            return filter != null || jobClass != null || queue != null || range != null || since != null || until != null;
        }

        JobQuery query(Instant now, PageCursor cursor, int limit) {
            Instant from = since == null ? null : time(since, "since");
            Instant to = until == null ? null : time(until, "until");
            if (from == null && range != null) {
                from = now.minus(DashboardResource.range(range, null).length());
            }
            JobStatus jobStatus = status == null || lost() ? null : JobStatus.fromWireName(status, "status");
            return JobQuery.builder().status(jobStatus).filter(filter).jobClass(jobClass).queue(queue).since(from).until(to)
                    .cursor(cursor).limit(limit).build();
        }

        /** The filters a confirmation form posted back, with this status. */
        static Filters posted(Map<String, Object> form, String status) {
            return of(status, text(form, "filter"), text(form, "job_class"), text(form, "queue"), text(form, "range"),
                    text(form, "since"), text(form, "until"));
        }

        static Filters of(String status, String filter, String jobClass, String queue, String range, String since, String until) {
            String tab = blank(status);
            return new Filters("all".equals(tab) ? null : tab, blank(filter), blank(jobClass), blank(queue), blank(range), blank(since), blank(until));
        }
    }

    /** A tab of the job list. */
    public record Tab(String label, String count, String href, boolean current) {
    }

    /** A row of the job list. */
    public record Row(Job job, String href, String arguments, boolean lost, String took) {
    }

    /** {@code GET /sidekiq/jobs}: the job list, with the filters in the URL. */
    @GET
    @Path("jobs")
    public Response jobs(@Context UriInfo uri, @Context ContainerRequestContext request, @QueryParam("status") String status,
                         @QueryParam("filter") String filter, @QueryParam("job_class") String jobClass,
                         @QueryParam("queue") String queue, @QueryParam("range") String range,
                         @QueryParam("since") String since, @QueryParam("until") String until,
                         @QueryParam("cursor") String cursor) {
        Filters filters = Filters.of(status, filter, jobClass, queue, range, since, until);
        return page(uri, request, "Jobs", () -> {
            String root = root(uri);
            if (filters.status() != null && !filters.lost()) {
                JobStatus.fromWireName(filters.status(), "status");
            }
            JobQuery query = filters.query(clock.instant(), blank(cursor) == null ? null : PageCursor.decode(cursor), PAGE_SIZE);
            JobPage page;
            Set<String> lost;
            if (filters.lost()) {
                page = manager.lostJobs(query);
                lost = page.jobs().stream().map(Job::jobId).collect(Collectors.toSet());
            } else {
                page = manager.query(query);
                lost = lostAmong(page.jobs());
            }
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("filters", filters);
            model.put("tabs", tabs(root, filters));
            model.put("rows", page.jobs().stream().map(job -> row(root, job, lost.contains(job.jobId()))).toList());
            model.put("nextHref", page.nextCursor() == null ? null
                    : root + "/jobs" + filters.with("cursor", page.nextCursor().encode()));
            model.put("firstHref", cursor == null || cursor.isEmpty() ? null : root + "/jobs" + filters.queryString());
            model.put("ranges", RANGES);
            model.put("sidekiqConfigured", manager.sidekiqConfigured());
            model.put("narrowed", filters.narrowed());
            return model;
        }, "jobs", false);
    }

    private List<Tab> tabs(String root, Filters filters) {
        Map<JobStatus, Long> counts = manager.countByStatus();
        long all = counts.values().stream().mapToLong(Long::longValue).sum();
        List<Tab> tabs = new ArrayList<>();
        String current = filters.status() == null ? "all" : filters.status();
        tabs.add(new Tab("All", Format.count(all), root + "/jobs" + filters.with("status", null), current.equals("all")));
        for (JobStatus status : List.of(JobStatus.QUEUED, JobStatus.STARTED)) {
            tabs.add(new Tab(capitalized(status.wireName()), Format.count(counts.getOrDefault(status, 0L)),
                    root + "/jobs" + filters.with("status", status.wireName()), current.equals(status.wireName())));
        }
        if (manager.sidekiqConfigured()) {
            tabs.add(new Tab("Lost", null, root + "/jobs" + filters.with("status", "lost"), current.equals("lost")));
        }
        for (JobStatus status : List.of(JobStatus.COMPLETE, JobStatus.FAILED)) {
            tabs.add(new Tab(capitalized(status.wireName()), Format.count(counts.getOrDefault(status, 0L)),
                    root + "/jobs" + filters.with("status", status.wireName()), current.equals(status.wireName())));
        }
        return tabs;
    }

    private Row row(String root, Job job, boolean lost) {
        String took = job.completedAt() != null ? Format.between(job.startedAt(), job.completedAt())
                : job.startedAt() != null && job.status() == JobStatus.STARTED ? "running " + Format.between(job.startedAt(), clock.instant())
                : "";
        return new Row(job, root + "/jobs/" + Format.encode(job.jobId()), Format.cut(job.arguments(), 160), lost, took);
    }

    private Set<String> lostAmong(List<Job> jobs) {
        if (!manager.sidekiqConfigured()) {
            return Set.of();
        }
        try {
            return manager.lostAmong(jobs);
        } catch (SidekiqUnavailableException e) {
            LOG.warn("showing jobs without their lost flag: {}", e.getMessage());
            return Set.of();
        }
    }

    // ---- one job ----

    /** One event of a job's timeline, with the time since the one before. */
    public record Step(JobEventRecord event, String sincePrevious) {
    }

    /** {@code GET /sidekiq/jobs/{job_id}}: one job, its timeline and its arguments. */
    @GET
    @Path("jobs/{job_id}")
    public Response job(@Context UriInfo uri, @Context ContainerRequestContext request, @PathParam("job_id") String jobId) {
        return page(uri, request, "Job " + jobId, () -> {
            JobDetails details = manager.job(jobId).orElse(null);
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("jobId", jobId);
            model.put("details", details);
            if (details != null) {
                Job job = details.job();
                List<Step> steps = new ArrayList<>();
                Instant previous = null;
                for (JobEventRecord event : details.events()) {
                    steps.add(new Step(event, previous == null ? "" : "+" + Format.between(previous, event.at())));
                    previous = event.at();
                }
                model.put("steps", steps);
                model.put("arguments", Format.prettyJson(job.arguments()));
                model.put("lost", lostAmong(List.of(job)).contains(job.jobId()));
                model.put("canRestart", manager.sidekiqConfigured() && job.status() == JobStatus.STARTED && job.restartingTo() == null);
                model.put("wait", Format.between(job.queuedAt(), job.startedAt()));
                model.put("run", Format.between(job.startedAt(), job.completedAt()));
                model.put("total", Format.between(job.queuedAt(), job.completedAt()));
            }
            return model;
        }, "job", false, details -> details.get("details") == null ? 404 : 200);
    }

    /** {@code POST /sidekiq/jobs/{job_id}/restart}: restarts this job if it is lost (CSRF token required). */
    @POST
    @Path("jobs/{job_id}/restart")
    public Response restartOne(@Context UriInfo uri, @Context ContainerRequestContext request, @PathParam("job_id") String jobId,
                               InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                               @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return posted(request, body, type, length, form -> page(uri, request, "Restart", () -> {
            RestartResult result = manager.restart(new RestartRequest(null, RestartRequest.Scope.LOST, null, false, 1).onlyJob(jobId));
            return restartModel(result, null);
        }, "restarted", false));
    }

    // ---- acting on a filter: restart lost jobs, delete ----

    /** {@code GET /sidekiq/restart}: a dry run of restarting the lost jobs on these filters, and the form to confirm it. */
    @GET
    @Path("restart")
    public Response confirmRestart(@Context UriInfo uri, @Context ContainerRequestContext request, @QueryParam("filter") String filter,
                                   @QueryParam("job_class") String jobClass, @QueryParam("queue") String queue) {
        Filters filters = Filters.of("lost", filter, jobClass, queue, null, null, null);
        return page(uri, request, "Restart lost jobs", () -> {
            RestartResult plan = manager.restart(restartRequest(filters, true));
            return restartModel(plan, filters);
        }, "restart", false);
    }

    /** {@code POST /sidekiq/restart}: restarts the lost jobs on the posted filters (CSRF token required). */
    @POST
    @Path("restart")
    public Response restartAll(@Context UriInfo uri, @Context ContainerRequestContext request, InputStream body,
                               @HeaderParam(HttpHeaders.CONTENT_TYPE) String type, @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return posted(request, body, type, length, form -> {
            Filters filters = Filters.posted(form, "lost");
            return page(uri, request, "Restart lost jobs", () -> restartModel(manager.restart(restartRequest(filters, false)), filters),
                    "restarted", false);
        });
    }

    private static RestartRequest restartRequest(Filters filters, boolean dryRun) {
        return new RestartRequest(filters.filter(), RestartRequest.Scope.LOST, null, dryRun, RestartRequest.DEFAULT_LIMIT,
                filters.jobClass(), filters.queue(), null);
    }

    private static Map<String, Object> restartModel(RestartResult result, Filters filters) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("result", result);
        model.put("filters", filters);
        Map<String, Long> reasons = new TreeMap<>(result.skipped().stream()
                .collect(Collectors.groupingBy(RestartResult.Skipped::reason, Collectors.counting())));
        model.put("reasons", reasons);
        return model;
    }

    /** {@code GET /sidekiq/delete}: what a delete on these filters would remove, and the form to confirm it. */
    @GET
    @Path("delete")
    public Response confirmDelete(@Context UriInfo uri, @Context ContainerRequestContext request, @QueryParam("status") String status,
                                  @QueryParam("filter") String filter, @QueryParam("job_class") String jobClass,
                                  @QueryParam("queue") String queue, @QueryParam("range") String range,
                                  @QueryParam("since") String since, @QueryParam("until") String until) {
        Filters filters = Filters.of(status, filter, jobClass, queue, range, since, until);
        return page(uri, request, "Delete jobs", () -> {
            String root = root(uri);
            JobQuery query = filters.query(clock.instant(), null, 20);
            JobPage preview = filters.lost() ? manager.lostJobs(query) : manager.query(query);
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("filters", filters);
            model.put("rows", preview.jobs().stream().map(job -> row(root, job, filters.lost())).toList());
            model.put("more", preview.nextCursor() != null);
            model.put("limit", Format.count(JobManager.DELETE_LIMIT));
            return model;
        }, "delete", false);
    }

    /** {@code POST /sidekiq/delete}: deletes the jobs on the posted filters (CSRF token required). */
    @POST
    @Path("delete")
    public Response delete(@Context UriInfo uri, @Context ContainerRequestContext request, InputStream body,
                           @HeaderParam(HttpHeaders.CONTENT_TYPE) String type, @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return posted(request, body, type, length, form -> {
            Filters filters = Filters.posted(form, text(form, "status"));
            return page(uri, request, "Delete jobs", () -> {
                DeleteResult result = manager.delete(filters.query(clock.instant(), null, 1), filters.lost());
                LOG.info("dashboard: deleted {} jobs matching {}", result.deleted(), filters.queryString());
                Map<String, Object> model = new LinkedHashMap<>();
                model.put("filters", filters);
                model.put("result", result);
                return model;
            }, "deleted", false);
        });
    }

    // ---- assets ----

    /** {@code GET /sidekiq/assets/{name}}: the stylesheet, the script and the icon, from the jar. */
    @GET
    @Path("assets/{name}")
    public Response asset(@PathParam("name") String name) {
        String type = ASSETS.get(name);
        if (type == null) {
            return Response.status(404).type(MediaType.TEXT_PLAIN_TYPE).entity("no such asset\n").build();
        }
        try (InputStream in = DashboardResource.class.getResourceAsStream("assets/" + name)) {
            return Response.ok(in.readAllBytes(), type).header(HttpHeaders.CACHE_CONTROL, "public, max-age=3600").build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- rendering ----

    /** The parts every page's layout needs. */
    public record Layout(String root, String title, String section, String csrfToken, boolean live, String version,
                         String store, boolean sidekiq, String now) {
    }

    private Response page(UriInfo uri, ContainerRequestContext request, String title, Supplier<Map<String, Object>> model,
                          String template, boolean live) {
        return page(uri, request, title, model, template, live, m -> 200);
    }

    private Response page(UriInfo uri, ContainerRequestContext request, String title, Supplier<Map<String, Object>> model,
                          String template, boolean live, java.util.function.ToIntFunction<Map<String, Object>> status) {
        Layout layout = new Layout(root(uri), title, template, String.valueOf(request.getProperty(DashboardGuard.TOKEN_PROPERTY)), live,
                Supervisor.version(), supervisor.storeDescription(), manager.sidekiqConfigured(), Format.iso(clock.instant()));
        Map<String, Object> params;
        int code;
        String view = template;
        try {
            params = new LinkedHashMap<>(model.get());
            code = status.applyAsInt(params);
        } catch (InvalidInputException e) {
            params = problem("That request could not be read", e.getMessage());
            code = 400;
            view = "problem";
        } catch (SidekiqNotConfiguredException e) {
            params = problem("Sidekiq's Redis is not configured",
                    e.getMessage() + ". Start the supervisor with --redis-url (or SUPERVISOR_REDIS_URL / REDIS_URL) to find and restart lost jobs.");
            code = 409;
            view = "problem";
        } catch (SidekiqUnavailableException e) {
            params = problem("Sidekiq's Redis does not answer", e.getMessage() + ". Nothing was changed; try again shortly.");
            code = 503;
            view = "problem";
        } catch (StoreException e) {
            params = problem("The database does not answer", e.getMessage() + ". Nothing was changed; try again shortly.");
            code = 503;
            view = "problem";
        }
        params.put("layout", layout);
        StringOutput out = new StringOutput();
        TEMPLATES.render(view + ".jte", params, out);
        return Response.status(code).type(HTML).entity(out.toString()).build();
    }

    private static Map<String, Object> problem(String heading, String message) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("heading", heading);
        model.put("message", message);
        return model;
    }

    /** 403 for a form without a valid CSRF token (or sent from another site). */
    static Response refused(String message) {
        String text = message != null ? message
                : "This form has expired or did not come from this dashboard, so nothing was done. Go back, reload the page and try again.";
        return Response.status(403).type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).entity(text + "\n").build();
    }

    /** Reads a posted form and runs {@code action} on it, or answers 403 when its CSRF token does not match. */
    private Response posted(ContainerRequestContext request, InputStream body, String type, String length,
                            Function<Map<String, Object>, Response> action) {
        Map<String, Object> form = RequestBody.read(body, type, length, maxBodyBytes, true).fields();
        return DashboardGuard.tokenMatches(request, form) ? action.apply(form) : refused(null);
    }

    private static String text(Map<String, Object> form, String name) {
        Object value = form.get(name);
        return value instanceof String s ? blank(s) : null;
    }

    private static String root(UriInfo uri) {
        return uri.getBaseUri().getRawPath() + "sidekiq";
    }

    private static String blank(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }

    private static String capitalized(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static Instant time(String text, String field) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(field, field + " must be an ISO-8601 UTC time such as 2026-11-28T17:00:00Z (got "
                    + InvalidInputException.quote(text) + ")");
        }
    }
}
