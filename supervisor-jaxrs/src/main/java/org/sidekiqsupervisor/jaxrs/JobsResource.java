package org.sidekiqsupervisor.jaxrs;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.PageCursor;
import org.sidekiqsupervisor.model.RestartRequest;
import org.sidekiqsupervisor.model.RestartResult;
import org.sidekiqsupervisor.model.StatusFilter;

/**
 * The query and control API: the JobManager over HTTP.
 */
@Path("api/v1")
public final class JobsResource {
    private final JobManager manager;
    private final long maxBodyBytes;

    /** The query and control endpoints over {@code manager}, reading bodies of at most {@code maxBodyBytes}. */
    public JobsResource(JobManager manager, long maxBodyBytes) {
        this.manager = manager;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** {@code GET /api/v1/jobs}: a page of jobs, newest activity first. */
    @GET
    @Path("jobs")
    public Response jobs(@QueryParam("status") String status, @QueryParam("filter") String filter,
                         @QueryParam("job_class") String jobClass, @QueryParam("queue") String queue,
                         @QueryParam("since") String since, @QueryParam("until") String until,
                         @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        StatusFilter wanted = StatusFilter.parse(status, "status");
        JobQuery query = JobQuery.builder()
                .status(wanted.status())
                .filter(filter).jobClass(jobClass).queue(queue)
                .since(time(since, "since")).until(time(until, "until"))
                .limit(integer(limit, "limit", JobQuery.DEFAULT_LIMIT))
                .cursor(cursor == null || cursor.isEmpty() ? null : PageCursor.decode(cursor))
                .build();
        return Responses.json(200, JsonViews.page(manager.queries().list(query, wanted.lostOnly()), manager.sidekiqSettings())).build();
    }

    /** {@code GET /api/v1/jobs/{job_id}}: one job with its history; 404 if unknown. */
    @GET
    @Path("jobs/{job_id}")
    public Response job(@PathParam("job_id") String jobId) {
        return manager.queries().job(jobId)
                .map(details -> Responses.json(200, JsonViews.details(details, manager.queries().lost(details.job()), manager.sidekiqSettings())).build())
                .orElseThrow(() -> new ApiException(404, "job_id " + jobId + " is not known to this supervisor", "job_id"));
    }

    /** {@code GET /api/v1/durations}: per-job durations to completion and their summaries. */
    @GET
    @Path("durations")
    public Response durations(@QueryParam("from") String from, @QueryParam("filter") String filter,
                              @QueryParam("job_class") String jobClass, @QueryParam("queue") String queue,
                              @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        DurationFrom start = DurationFrom.fromWireName(from);
        DurationQuery query = new DurationQuery(start, filter, jobClass, queue,
                integer(limit, "limit", JobQuery.DEFAULT_LIMIT),
                cursor == null || cursor.isEmpty() ? null : PageCursor.decode(cursor));
        return Responses.json(200, JsonViews.durations(manager.queries().durations(query), start.wireName())).build();
    }

    /** {@code POST /api/v1/jobs/restart}: puts lost (or all uncompleted) jobs back on Sidekiq's queues. */
    @POST
    @Path("jobs/restart")
    public Response restart(InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                            @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        Map<String, Object> fields = RequestBody.read(body, type, length, maxBodyBytes, true).fields();
        String olderThan = EventFields.scalar(fields, "older_than");
        RestartRequest request = new RestartRequest(EventFields.text(fields, "filter"),
                RestartRequest.Scope.fromWireName(EventFields.text(fields, "scope")),
                olderThan == null || olderThan.isEmpty() ? null : Duration.ofSeconds(integer(olderThan, "older_than", 0)),
                bool(EventFields.scalar(fields, "dry_run"), "dry_run"),
                integer(EventFields.scalar(fields, "limit"), "limit", RestartRequest.DEFAULT_LIMIT),
                EventFields.text(fields, "job_class"), EventFields.text(fields, "queue"), EventFields.text(fields, "job_id"),
                bool(EventFields.scalar(fields, "force"), "force"));
        RestartResult result = manager.restart(request, "token");
        // Stopped part-way by Redis or the store: what was done is listed, and the status says to retry.
        return Responses.json(result.error() == null ? 200 : 503, JsonViews.restart(result)).build();
    }

    private static int integer(String text, String field, int absent) {
        if (text == null || text.isEmpty()) {
            return absent;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, field + " must be a whole number (got " + InvalidInputException.quote(text) + ")");
        }
    }

    private static Instant time(String text, String field) {
        try {
            return EventFields.at(text == null ? Map.of() : Map.of("at", text));
        } catch (InvalidInputException e) {
            throw new InvalidInputException(field, field + " must be epoch seconds or an ISO-8601 time");
        }
    }

    private static boolean bool(String text, String field) {
        if (text == null || text.isBlank() || text.trim().equals("false") || text.trim().equals("0")) {
            return false;
        }
        if (text.trim().equals("true") || text.trim().equals("1")) {
            return true;
        }
        throw new InvalidInputException(field, field + " must be true or false");
    }
}
