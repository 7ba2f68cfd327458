package org.sidekiqsupervisor.jaxrs;

import java.io.InputStream;
import java.util.Map;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;

/**
 * The benchmark's baseline: the ingest endpoints' paths under {@code /api/v1/noop}, doing all their work — read
 * the body within the limit, decode it, validate the event — except storing it. Registered only when the
 * supervisor is built with {@code noopEndpoint(true)}.
 */
@Path("api/v1/noop")
public final class NoopResource {
    private final long maxBodyBytes;

    public NoopResource(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @POST
    @Path("jobs")
    public Response queued(InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                           @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return parsed(RequestBody.read(body, type, length, maxBodyBytes, true).fields(), JobStatus.QUEUED, null);
    }

    @POST
    @Path("jobs/{job_id}/{event: started|complete|failed}")
    public Response event(@PathParam("job_id") String jobId, @PathParam("event") String event, InputStream body,
                          @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                          @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return parsed(RequestBody.read(body, type, length, maxBodyBytes, true).fields(), JobStatus.fromWireName(event, "status"),
                jobId);
    }

    private static Response parsed(Map<String, Object> fields, JobStatus status, String jobId) {
        JobEvent event = EventFields.toEvent(fields, status, jobId);
        return Response.status(201).type(Responses.JSON_UTF8).entity("{\"job_id\":\"" + event.jobId() + "\"}").build();
    }
}
