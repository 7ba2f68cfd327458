package org.sidekiqsupervisor.examples;

import java.io.IOException;
import java.net.URI;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpContainer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.jaxrs.SupervisorFeature;

/**
 * A host application that serves its own API at {@code /} and mounts the supervisor at
 * {@code /supervisor}: the middlewares then post to {@code http://host:port/supervisor/api/v1/jobs}.
 *
 * <p>Run: {@code mvn -q -pl examples -am exec:java -Dexec.mainClass=org.sidekiqsupervisor.examples.EmbeddedInJerseyApp}
 */
public final class EmbeddedInJerseyApp implements AutoCloseable {
    private final Supervisor supervisor;
    private final HttpServer server;

    /** The host application's own resource. */
    @Path("hello")
    public static final class HelloResource {
        @GET
        @Produces(MediaType.TEXT_PLAIN)
        public String hello() {
            return "hello from the host app";
        }
    }

    public EmbeddedInJerseyApp(String databaseUrl, int port) throws IOException {
        supervisor = Supervisor.builder().databaseUrl(databaseUrl).build();
        server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:" + port + "/"),
                new ResourceConfig(HelloResource.class), false);
        // The one registration call, on an application of its own mounted under /supervisor.
        ResourceConfig supervisorApp = new ResourceConfig().register(new SupervisorFeature(supervisor));
        server.getServerConfiguration().addHttpHandler(
                ContainerFactory.createContainer(GrizzlyHttpContainer.class, supervisorApp), "/supervisor");
        server.start();
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getListeners().iterator().next().getPort() + "/");
    }

    public Supervisor supervisor() {
        return supervisor;
    }

    @Override
    public void close() {
        server.shutdownNow();
        supervisor.close();
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedInJerseyApp app = new EmbeddedInJerseyApp("jdbc:h2:file:./supervisor-data/embedded", 8090)) {
            System.out.println("host app on " + app.baseUri() + "hello, supervisor on " + app.baseUri() + "supervisor/api/v1/jobs");
            Thread.currentThread().join();
        }
    }
}
