package org.sidekiqsupervisor.jaxrs.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code GET /sidekiq/assets/{name}}: the dashboard's stylesheet, script and icon, from the jar. Thread-safe. */
@Path("sidekiq")
public final class AssetsResource {
    /** The assets by name, with their types: nothing else in the jar is served. */
    private static final Map<String, String> ASSETS = Map.of(
            "dashboard.css", "text/css; charset=UTF-8",
            "dashboard.js", "text/javascript; charset=UTF-8",
            "favicon.svg", "image/svg+xml");

    /** The dashboard's assets. */
    AssetsResource() {
    }

    /** {@code GET /sidekiq/assets/{name}}: the asset, cached for an hour; 404 for any other name. */
    @GET
    @Path("assets/{name}")
    public Response asset(@PathParam("name") String name) {
        String type = ASSETS.get(name);
        if (type == null) {
            return Response.status(404).type(MediaType.TEXT_PLAIN_TYPE).entity("no such asset\n").build();
        }
        try (InputStream in = AssetsResource.class.getResourceAsStream("assets/" + name)) {
            return Response.ok(in.readAllBytes(), type).header(HttpHeaders.CACHE_CONTROL, "public, max-age=3600").build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
