package org.sidekiqsupervisor.jaxrs;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

/**
 * Answers a Content-Type header that is not a media type at all with the contract's 415 JSON error.
 * Without it Jersey refuses such a request during matching with a bare 400 that no mapper sees.
 */
@PreMatching
@Priority(Priorities.HEADER_DECORATOR)
public final class ContentTypeFilter implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (header == null || header.isBlank()) {
            return;
        }
        try {
            MediaType.valueOf(header);
        } catch (IllegalArgumentException e) {
            request.abortWith(Responses.error(415,
                    "Content-Type is not readable: send application/x-www-form-urlencoded or application/json", null));
        }
    }
}
