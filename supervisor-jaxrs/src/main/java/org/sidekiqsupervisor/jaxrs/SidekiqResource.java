package org.sidekiqsupervisor.jaxrs;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

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
import org.sidekiqsupervisor.sidekiq.SidekiqActionResult;
import org.sidekiqsupervisor.sidekiq.SidekiqActions;
import org.sidekiqsupervisor.sidekiq.SidekiqActions.SetAction;
import org.sidekiqsupervisor.sidekiq.SidekiqBrowser;
import org.sidekiqsupervisor.sidekiq.SidekiqEntryKey;
import org.sidekiqsupervisor.sidekiq.SidekiqJob;
import org.sidekiqsupervisor.sidekiq.SidekiqRedis;
import org.sidekiqsupervisor.sidekiq.SidekiqSelection;
import org.sidekiqsupervisor.sidekiq.SidekiqSet;

/**
 * Sidekiq's own state and actions as JSON (contract section 7): its queues, the retry, schedule and dead sets a page
 * at a time, one entry by jid, the busy processes, and the actions of its Web UI. Without Redis: 409; Redis down: 503.
 * The actions are refused on a read-only supervisor by {@link ReadOnlyFilter}.
 */
@Path("api/v1/sidekiq")
public final class SidekiqResource {
    private static final Pattern JID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** Who the audit log names for the API's actions. */
    static final String ACTOR = "token";
    private static final String SETS = "{set: retries|scheduled|dead}";

    private final JobManager manager;
    private final long maxBodyBytes;

    /** The endpoints over {@code manager} ({@link ReadOnlyFilter} refuses the actions on a read-only supervisor). */
    public SidekiqResource(JobManager manager, long maxBodyBytes) {
        this.manager = manager;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** {@code GET /api/v1/sidekiq}: Sidekiq's live state. */
    @GET
    public Response state() {
        return Responses.json(200, JsonViews.sidekiq(manager.sidekiqState())).build();
    }

    /** {@code GET /api/v1/sidekiq/queues}: each queue with its size and latency. */
    @GET
    @Path("queues")
    public Response queues() {
        return Responses.json(200, SidekiqViews.queues(manager.sidekiqState())).build();
    }

    /** {@code GET /api/v1/sidekiq/queues/{name}}: a page of a queue's jobs, next to run first. */
    @GET
    @Path("queues/{name}")
    public Response queue(@PathParam("name") String name, @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return Responses.json(200, SidekiqViews.page(redis().browser().queue(name, limit(limit), cursor))).build();
    }

    /** {@code GET /api/v1/sidekiq/{retries|scheduled|dead}}: a page of the set, optionally filtered. */
    @GET
    @Path(SETS)
    public Response set(@PathParam("set") String set, @QueryParam("filter") String filter, @QueryParam("limit") String limit,
                        @QueryParam("cursor") String cursor) {
        return Responses.json(200, SidekiqViews.page(redis().browser().page(SidekiqSet.fromWireName(set), filter, limit(limit),
                cursor))).build();
    }

    /**
     * {@code GET /api/v1/sidekiq/{retries|scheduled|dead}/{jid}}: one entry with its backtrace; 404 if absent. Takes a
     * bare jid (the set read a chunk at a time until found) or Sidekiq Web's {@code <score>-<jid>} (one bounded
     * {@code ZRANGEBYSCORE} at that score).
     */
    @GET
    @Path(SETS + "/{jid}")
    public Response entry(@PathParam("set") String set, @PathParam("jid") String jid) {
        SidekiqSet sidekiqSet = SidekiqSet.fromWireName(set);
        Optional<SidekiqJob> found;
        if (SidekiqEntryKey.looksLikeKey(jid)) {
            SidekiqEntryKey key = SidekiqEntryKey.parse(jid);
            found = redis().browser().entry(sidekiqSet, key.score(), key.jid());
        } else {
            jid(jid);
            found = redis().browser().find(sidekiqSet, jid);
        }
        SidekiqJob job = found.orElseThrow(() -> new ApiException(404, "jid " + jid + " is not in " + set + " now", "jid"));
        return Responses.json(200, SidekiqViews.detail(job)).build();
    }

    /** {@code GET /api/v1/sidekiq/busy}: the live processes with their running jobs. */
    @GET
    @Path("busy")
    public Response busy() {
        return Responses.json(200, SidekiqViews.busy(redis().browser().processes())).build();
    }

    /** {@code POST /api/v1/sidekiq/{retries|scheduled|dead}/actions}: retry, enqueue, delete or kill entries. */
    @POST
    @Path(SETS + "/actions")
    public Response setAction(@PathParam("set") String setName, InputStream body,
                              @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                              @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        SidekiqSet set = SidekiqSet.fromWireName(setName);
        ActionRequest request = ActionRequest.read(RequestBody.read(body, type, length, maxBodyBytes, true), false);
        SetAction action = setAction(request.action());
        SidekiqActionResult result = manager.actOnSidekiqSet(ACTOR, set, action,
                SidekiqSelection.of(request.jids(), request.filter()), request.dryRun());
        return Responses.json(200, SidekiqViews.result(result, request.dryRun())).build();
    }

    /** {@code POST /api/v1/sidekiq/queues/{name}/actions}: delete the jobs named, or clear the queue. */
    @POST
    @Path("queues/{name}/actions")
    public Response queueAction(@PathParam("name") String name, InputStream body,
                                @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                                @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        ActionRequest request = ActionRequest.read(RequestBody.read(body, type, length, maxBodyBytes, true), true);
        SidekiqActionResult result = switch (request.action()) {
            case "delete" -> {
                request.requireSelection();
                yield redis().actions().deleteFromQueue(name, request.jids(), request.filter(), request.dryRun());
            }
            case "clear" -> redis().actions().clearQueue(name, request.dryRun());
            default -> throw new InvalidInputException("action", "action must be delete or clear (got "
                    + InvalidInputException.quote(request.action()) + ")");
        };
        manager.audit(ACTOR, "queue." + request.action(), "queue:" + name, result.done(), result.count(), request.dryRun());
        return Responses.json(200, SidekiqViews.result(result, request.dryRun())).build();
    }

    /** {@code POST /api/v1/sidekiq/processes/{identity}/quiet}: the process stops fetching jobs on its next beat. */
    @POST
    @Path("processes/{identity}/quiet")
    public Response quiet(@PathParam("identity") String identity) {
        return signal(identity, SidekiqSignals.QUIET);
    }

    /** {@code POST /api/v1/sidekiq/processes/{identity}/stop}: the process shuts down on its next beat. */
    @POST
    @Path("processes/{identity}/stop")
    public Response stop(@PathParam("identity") String identity) {
        return signal(identity, SidekiqSignals.STOP);
    }

    private Response signal(String identity, String signal) {
        SidekiqSignals.send(manager, identity, signal, ACTOR);
        return Responses.json(202, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("identity", identity).put("signal", signal)).build();
    }

    private SidekiqRedis redis() {
        return manager.sidekiqRedis("Sidekiq's jobs");
    }

    /**
     * The action an API body or a dashboard form names: {@code retry}, {@code enqueue}, {@code delete}, {@code kill}.
     *
     * @throws InvalidInputException naming {@code action} for any other
     */
    public static SetAction setAction(String action) {
        return switch (action == null ? "" : action) {
            case "retry" -> SetAction.RETRY;
            case "enqueue" -> SetAction.ENQUEUE;
            case "delete" -> SetAction.DELETE;
            case "kill" -> SetAction.KILL;
            default -> throw new InvalidInputException("action", "action must be retry, enqueue, delete or kill (got "
                    + InvalidInputException.quote(action) + ")");
        };
    }

    /**
     * Checks a jid an API body or a dashboard form names.
     *
     * @throws InvalidInputException naming {@code jid} unless it is 1-64 of {@code [A-Za-z0-9_-]}
     */
    public static void jid(String jid) {
        if (jid == null || !JID.matcher(jid).matches()) {
            throw new InvalidInputException("jid", "jid must be 1-64 of [A-Za-z0-9_-] (got " + InvalidInputException.quote(jid) + ")");
        }
    }

    private static int limit(String text) {
        if (text == null || text.isEmpty()) {
            return SidekiqBrowser.DEFAULT_LIMIT;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("limit", "limit must be a whole number (got " + InvalidInputException.quote(text) + ")");
        }
    }

    /** An action's body: {@code action}, {@code jid} (repeatable) or {@code filter}, {@code dry_run}. */
    record ActionRequest(String action, List<String> jids, String filter, boolean dryRun) {
        static ActionRequest read(RequestBody body, boolean selectionOptional) {
            Map<String, Object> fields = body.fields();
            String action = EventFields.scalar(fields, "action");
            if (action == null || action.isBlank()) {
                throw new InvalidInputException("action", "action is required");
            }
            List<String> jids = body.values("jid");
            if (jids.size() > SidekiqActions.MAX_LISTED) {
                throw new InvalidInputException("jid", "at most " + SidekiqActions.MAX_LISTED + " jids at once");
            }
            jids.forEach(SidekiqResource::jid);
            String filter = EventFields.text(fields, "filter");
            if (filter != null && filter.isEmpty()) {
                filter = null;
            }
            if (!jids.isEmpty() && filter != null) {
                throw new InvalidInputException("filter", "give jid or filter, not both");
            }
            ActionRequest request = new ActionRequest(action.trim(), List.copyOf(jids), filter,
                    bool(EventFields.scalar(fields, "dry_run")));
            if (!selectionOptional) {
                request.requireSelection();
            }
            return request;
        }

        void requireSelection() {
            if (jids.isEmpty() && filter == null) {
                throw new InvalidInputException("jid", "name the jobs: jid (repeatable) or a non-empty filter");
            }
        }

        private static boolean bool(String text) {
            if (text == null || text.isBlank() || text.trim().equals("false") || text.trim().equals("0")) {
                return false;
            }
            if (text.trim().equals("true") || text.trim().equals("1")) {
                return true;
            }
            throw new InvalidInputException("dry_run", "dry_run must be true or false");
        }
    }
}
