package org.sidekiqsupervisor.jaxrs;

import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RecordResult;

/**
 * The ingest API the Ruby middlewares call: the original supervisor's three per-event endpoints (one POST per event),
 * {@code failed}, and the batch endpoint for middlewares that buffer. Every event is validated in full before anything is written.
 */
@Path("api/v1")
public final class EventsResource {
    /** The most events one batch may carry. */
    public static final int MAX_BATCH = 1000;

    private final JobManager manager;
    private final long maxBodyBytes;

    /** The ingest endpoints over {@code manager}, reading bodies of at most {@code maxBodyBytes}. */
    public EventsResource(JobManager manager, long maxBodyBytes) {
        this.manager = manager;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** {@code POST /api/v1/jobs}: the job was queued (the client middleware). */
    @POST
    @Path("jobs")
    public Response queued(InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                           @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        Map<String, Object> fields = RequestBody.read(body, type, length, maxBodyBytes, true).fields();
        return answer(manager.record(EventFields.toEvent(fields, JobStatus.QUEUED, null)));
    }

    /** {@code POST /api/v1/jobs/{job_id}/started|complete|failed}: the server middleware. */
    @POST
    @Path("jobs/{job_id}/{event: started|complete|failed}")
    public Response event(@PathParam("job_id") String jobId, @PathParam("event") String event, InputStream body,
                          @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                          @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        JobEvent.requireJobId(jobId, "job_id");
        Map<String, Object> fields = RequestBody.read(body, type, length, maxBodyBytes, true).fields();
        return answer(manager.record(EventFields.toEvent(fields, JobStatus.fromWireName(event, "status"), jobId)));
    }

    /**
     * {@code POST /api/v1/jobs/{job_id}/progress}: a running job's progress, as sidekiq-status reports it: {@code at}
     * units done, {@code total}, {@code message}. 404 for a job the supervisor does not know (nothing is written).
     */
    @POST
    @Path("jobs/{job_id}/progress")
    public Response progress(@PathParam("job_id") String jobId, InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                             @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        JobEvent.requireJobId(jobId, "job_id");
        Map<String, Object> fields = RequestBody.read(body, type, length, maxBodyBytes, true).fields();
        Long at = count(EventFields.scalar(fields, "at"), "at");
        Long total = count(EventFields.scalar(fields, "total"), "total");
        String message = EventFields.text(fields, "message");
        return manager.recordProgress(jobId, at, total, message == null || message.isEmpty() ? null : message)
                .map(job -> Responses.json(200, JsonViews.job(job, null)).build())
                .orElseThrow(() -> new ApiException(404, "job_id " + jobId + " is not known to this supervisor: report it queued or "
                        + "started first", "job_id"));
    }

    private static Long count(String text, String field) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new org.sidekiqsupervisor.InvalidInputException(field, field + " must be a whole number (got "
                    + org.sidekiqsupervisor.InvalidInputException.quote(text) + ")");
        }
    }

    /**
     * {@code POST /api/v1/events}: a JSON array of events, recorded in one transaction. Each event is
     * answered on its own: an invalid one is rejected (and not recorded) without holding back the others.
     */
    @POST
    @Path("events")
    public Response batch(InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                          @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        JsonNode array = RequestBody.read(body, type, length, maxBodyBytes, false).json();
        if (array == null || !array.isArray()) {
            throw new InvalidInputException(null, "the body must be a JSON array of events");
        }
        if (array.size() > MAX_BATCH) {
            throw new ApiException(413, "a batch holds at most " + MAX_BATCH + " events (got " + array.size() + ")", null);
        }
        ObjectNode[] answers = new ObjectNode[array.size()];
        List<JobEvent> valid = new ArrayList<>();
        List<Integer> validIndex = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            try {
                if (!item.isObject()) {
                    throw new InvalidInputException(null, "each event must be a JSON object");
                }
                Map<String, Object> fields = RequestBody.fieldsOf(item);
                JobStatus status = JobStatus.fromWireName(EventFields.text(fields, "status"), "status");
                valid.add(EventFields.toEvent(fields, status, null));
                validIndex.add(i);
            } catch (InvalidInputException e) {
                answers[i] = rejected(i, item, e.getMessage(), e.field());
            }
        }
        List<RecordResult> results = manager.recordAll(valid);
        int[] counts = new int[4];
        for (int k = 0; k < results.size(); k++) {
            RecordResult result = results.get(k);
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            answer.put("index", validIndex.get(k));
            answer.put("job_id", result.job().jobId());
            answer.put("result", result.outcome().name().toLowerCase(Locale.ROOT));
            answer.put("status", result.created() ? 201 : 200);
            answer.put("job_status", result.job().status().wireName());
            answers[validIndex.get(k)] = answer;
            counts[result.outcome().ordinal()]++;
        }
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put("created", counts[RecordResult.Outcome.CREATED.ordinal()]);
        response.put("updated", counts[RecordResult.Outcome.UPDATED.ordinal()]);
        response.put("duplicate", counts[RecordResult.Outcome.DUPLICATE.ordinal()]);
        response.put("rejected", array.size() - results.size());
        ArrayNode list = response.putArray("results");
        for (ObjectNode answer : answers) {
            list.add(answer);
        }
        return Responses.json(200, response).build();
    }

    private static ObjectNode rejected(int index, JsonNode item, String message, String field) {
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("index", index);
        JsonNode jobId = item.get("job_id");
        answer.put("job_id", jobId != null && jobId.isTextual() ? jobId.textValue() : null);
        answer.put("result", "rejected");
        answer.put("status", 400);
        answer.put("error", message);
        answer.put("field", field);
        return answer;
    }

    private static Response answer(RecordResult result) {
        Response.ResponseBuilder response = Responses.json(result.created() ? 201 : 200, JsonViews.job(result.job(), null));
        if (result.created()) {
            // Relative: Jersey resolves it against the application's base URI. Cheaper than an injected UriInfo and
            // its UriBuilder on every ingest request (about a tenth of a request thread's time in a profile); a job
            // id is only A-Z a-z 0-9 _ -, so it needs no escaping.
            response.location(URI.create("api/v1/jobs/" + result.job().jobId()));
        }
        return response.build();
    }
}
