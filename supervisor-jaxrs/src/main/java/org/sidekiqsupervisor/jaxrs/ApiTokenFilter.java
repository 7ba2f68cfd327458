package org.sidekiqsupervisor.jaxrs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * Requires {@code Authorization: Bearer <token>} on every {@code /api/} request when a token is set (but the
 * OpenAPI document).
 * The comparison takes the same time whatever the guess (both sides are hashed to fixed-length digests,
 * then compared with {@link MessageDigest#isEqual}); the token is never logged or echoed.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public final class ApiTokenFilter implements ContainerRequestFilter {
    private static final String PREFIX = "Bearer ";
    private final byte[] expectedDigest;

    /** Requires this token; only its digest is kept. */
    public ApiTokenFilter(String token) {
        expectedDigest = sha256(token);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        // The API's description holds no data: tools may read it without the token.
        if (!path.startsWith("api/") || path.equals("api/v1/openapi.json")) {
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String presented = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                ? header.substring(PREFIX.length()).trim() : "";
        if (!MessageDigest.isEqual(expectedDigest, sha256(presented))) {
            request.abortWith(jakarta.ws.rs.core.Response.fromResponse(
                            Responses.error(401, header == null ? "a bearer token is required: send Authorization: Bearer <token>"
                                    : "the bearer token is wrong", null))
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"sidekiq-supervisor\"").build());
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
