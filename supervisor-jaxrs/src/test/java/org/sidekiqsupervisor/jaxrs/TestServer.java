package org.sidekiqsupervisor.jaxrs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.internal.Json;

/**
 * A real Grizzly server on a free port with the supervisor mounted at a base path, and an HTTP/1.1
 * client for it (the JDK client's default HTTP/2 upgrade hangs against Grizzly).
 */
final class TestServer implements AutoCloseable {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** How far apart {@link #looks()} makes its two looks: the default grace, 60 s, and a little. */
    static final Duration LOOKS_APART = Duration.ofSeconds(61);

    final Supervisor supervisor;
    final HttpServer server;
    final URI base;
    private final MovableClock clock;

    private TestServer(Supervisor supervisor, MovableClock clock, String basePath, HttpSettings http) {
        this.supervisor = supervisor;
        this.clock = clock;
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        ResourceConfig app = new ResourceConfig().register(new SupervisorFeature(supervisor, http))
                .property(org.glassfish.jersey.server.ServerProperties.WADL_FEATURE_DISABLE, true);
        server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0" + basePath), app, false);
        // As many request threads as the standalone server has, so that tests see its concurrency, not Grizzly's 2 x cores.
        server.getListeners().forEach(listener -> listener.getTransport().setWorkerThreadPoolConfig(
                org.glassfish.grizzly.threadpool.ThreadPoolConfig.defaultConfig().setCorePoolSize(64).setMaxPoolSize(64)));
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int port = server.getListeners().iterator().next().getPort();
        base = URI.create("http://127.0.0.1:" + port + basePath);
    }

    /** A server on the store the builder names, mounted at {@code basePath} (ending in /), open to all. */
    static TestServer start(String basePath, Supervisor.Builder builder) {
        return start(basePath, builder, HttpSettings.DEFAULTS);
    }

    /** A server on the store the builder names, mounted at {@code basePath} (ending in /), with these HTTP settings. */
    static TestServer start(String basePath, Supervisor.Builder builder, HttpSettings http) {
        // No looks at Sidekiq in the background: a test makes them with looks(), on a clock it moves.
        MovableClock clock = new MovableClock();
        return new TestServer(builder.clock(clock).lookInterval(Duration.ZERO).build(), clock, basePath, http);
    }

    /**
     * Two looks at Sidekiq {@link #LOOKS_APART}, as the background ones make them: a queued or started job that both
     * find nowhere (and that had no event since the first) is lost from then on. The server's clock stays that much
     * ahead of the wall clock afterwards.
     */
    void looks() {
        supervisor.jobManager().lookAtSidekiq();
        clock.offset = clock.offset.plus(LOOKS_APART);
        supervisor.jobManager().lookAtSidekiq();
    }

    /** The wall clock, moved forward by what {@link #looks()} skipped. */
    private static final class MovableClock extends java.time.Clock {
        private volatile Duration offset = Duration.ZERO;

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.now().plus(offset);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            // The supervisor reads instants only; the zone changes nothing it reads.
            return this;
        }
    }

    static TestServer start() {
        return start("/", memory());
    }

    static Supervisor.Builder memory() {
        return Supervisor.builder().databaseUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    URI uri(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    Reply post(String path, String contentType, String body) {
        return post(path, contentType, body.getBytes(StandardCharsets.UTF_8), null);
    }

    Reply post(String path, String contentType, byte[] body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    Reply form(String path, String body) {
        return post(path, "application/x-www-form-urlencoded", body);
    }

    Reply get(String path) {
        return get(path, null);
    }

    Reply get(String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    static Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(response.statusCode(), response.body(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends exactly these bytes on a new connection and reads the whole answer (the server closes it). */
    String raw(String request) {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) {
                answer.write(buffer, 0, n);
                String text = answer.toString(StandardCharsets.UTF_8);
                int headerEnd = text.indexOf("\r\n\r\n");
                if (headerEnd > 0) {
                    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
                    if (length.find() && answer.size() >= headerEnd + 4 + Integer.parseInt(length.group(1))) {
                        break;
                    }
                }
            }
            return answer.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.shutdownNow();
        supervisor.close();
    }

    /** An answer: status, body, and the body as JSON. */
    record Reply(int status, String body, HttpResponse<String> response) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }
}
