package org.sidekiqsupervisor.jaxrs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.sidekiqsupervisor.Supervisor;

/**
 * {@code GET /api/v1/openapi.json}: the OpenAPI 3.1 document of this API, written by hand next to the resources it
 * describes and checked against them by a test. It holds no data, so it needs no token.
 */
@Path("api/v1/openapi.json")
public final class OpenApiResource {
    /** Where the document is on the classpath. */
    static final String DOCUMENT = "openapi.json";
    private static final String TEXT = load();

    private static String load() {
        try (InputStream in = OpenApiResource.class.getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${version}", Supervisor.version());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    public Response document() {
        return Response.ok(TEXT, MediaType.APPLICATION_JSON_TYPE.withCharset("utf-8")).header("Cache-Control", "public, max-age=300")
                .build();
    }
}
