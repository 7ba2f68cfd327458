package org.sidekiqsupervisor.jaxrs.dashboard;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.sidekiqsupervisor.jaxrs.RequestBody;

/**
 * The one way in for the dashboard's posted forms: the body is read within the size limit, and the form acts only
 * when its CSRF token matches the request's cookie ({@link DashboardGuard}); otherwise the answer is 403 and
 * nothing is done. Thread-safe.
 */
final class PostedForms {
    private final long maxBodyBytes;

    /** Forms of at most {@code maxBodyBytes} bytes. */
    PostedForms(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * A posted form's fields.
     *
     * @param fields the fields by name, as {@link RequestBody} read them (the first value of a repeated one)
     * @param body   the body read, for the values of repeated fields (checkboxes)
     */
    record Form(Map<String, Object> fields, RequestBody body) {
        /** The text of field {@code name}, or null when the form has no such text field. */
        String text(String name) {
            return fields.get(name) instanceof String text ? text : null;
        }

        /** Every value of field {@code name} in order (each ticked checkbox of that name); empty when none. */
        List<String> values(String name) {
            return body.values(name);
        }
    }

    /** Reads a posted form and runs {@code action} on it, or answers 403 when its CSRF token does not match. */
    Response posted(ContainerRequestContext request, InputStream body, String contentType, String contentLength,
                    Function<Form, Response> action) {
        RequestBody read = RequestBody.read(body, contentType, contentLength, maxBodyBytes, true);
        Map<String, Object> fields = read.fields();
        return DashboardGuard.tokenMatches(request, fields) ? action.apply(new Form(fields, read)) : refused(null);
    }

    /** 403 for a form without a valid CSRF token (or sent from another site), with {@code message} or the usual one. */
    static Response refused(String message) {
        String text = message != null ? message
                : "This form has expired or did not come from this dashboard, so nothing was done. Go back, reload the page and try again.";
        return Response.status(403).type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).entity(text + "\n").build();
    }
}
