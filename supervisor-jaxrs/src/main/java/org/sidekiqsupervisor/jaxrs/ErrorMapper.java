package org.sidekiqsupervisor.jaxrs;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.sidekiqsupervisor.SupervisorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers, every one a JSON error body:
 * input errors 400 (or their own status), Sidekiq not configured 409, store down 503, and anything else
 * a 500 that is logged — a bug, never a client's fault.
 */
public final class ErrorMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    @Context
    private UriInfo uri;
    @Context
    private Request request;

    @Override
    public Response toResponse(Throwable failure) {
        if (failure instanceof SupervisorException e) {
            return toResponse(e);
        }
        if (failure instanceof WebApplicationException e) {
            Response original = e.getResponse();
            int status = original.getStatus();
            String message = switch (status) {
                case 404 -> "no such endpoint: " + request.getMethod() + " /" + uri.getPath();
                case 405 -> "method " + request.getMethod() + " is not allowed on /" + uri.getPath();
                case 406 -> "this endpoint answers application/json only";
                case 400 -> "the request is malformed (a header or the URL could not be read)";
                case 415 -> "unsupported Content-Type";
                default -> original.getStatusInfo().getReasonPhrase();
            };
            Response.ResponseBuilder answer = Responses.json(status, Responses.errorBody(message, null));
            original.getHeaders().forEach((name, values) -> {
                if (!name.equalsIgnoreCase("Content-Type") && !name.equalsIgnoreCase("Content-Length")) {
                    values.forEach(value -> answer.header(name, value));
                }
            });
            return answer.build();
        }
        LOG.error("unexpected failure on {} /{}", request.getMethod(), uri.getPath(), failure);
        return Responses.error(500, "internal error: the supervisor failed unexpectedly; see its log", null);
    }

    /** The HTTP answer to each kind of failure the supervisor reports: the one table of status codes. */
    private static Response toResponse(SupervisorException e) {
        return switch (e.kind()) {
            case INVALID_INPUT, NOT_FOUND -> Responses.error(ApiException.status(e), e.getMessage(), e.field());
            case SIDEKIQ_NOT_CONFIGURED -> Responses.error(409, e.getMessage(), null);
            case SIDEKIQ_UNAVAILABLE -> unavailable(e, "nothing was changed, retry later");
            case STORE_UNAVAILABLE -> unavailable(e, "the request was not recorded, retry later");
        };
    }

    private static Response unavailable(SupervisorException e, String advice) {
        LOG.warn("answering 503: {}", e.getMessage());
        return Responses.json(503, Responses.errorBody(e.getMessage() + "; " + advice, null)).header("Retry-After", "5").build();
    }
}
