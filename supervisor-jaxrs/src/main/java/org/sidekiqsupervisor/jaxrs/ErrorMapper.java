package org.sidekiqsupervisor.jaxrs;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.sidekiq.SidekiqNotConfiguredException;
import org.sidekiqsupervisor.sidekiq.SidekiqUnavailableException;
import org.sidekiqsupervisor.store.StoreException;
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
        if (failure instanceof InvalidInputException e) {
            return Responses.error(400, e.getMessage(), e.field());
        }
        if (failure instanceof ApiException e) {
            return Responses.error(e.status(), e.getMessage(), e.field());
        }
        if (failure instanceof SidekiqNotConfiguredException e) {
            return Responses.error(409, e.getMessage(), null);
        }
        if (failure instanceof SidekiqUnavailableException e) {
            LOG.warn("answering 503: {}", e.getMessage());
            return Responses.json(503, Responses.errorBody(e.getMessage() + "; nothing was changed, retry later", null))
                    .header("Retry-After", "5").build();
        }
        if (failure instanceof StoreException e) {
            LOG.warn("answering 503: {}", e.getMessage());
            return Responses.json(503, Responses.errorBody(e.getMessage() + "; the request was not recorded, retry later", null))
                    .header("Retry-After", "5").build();
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
}
