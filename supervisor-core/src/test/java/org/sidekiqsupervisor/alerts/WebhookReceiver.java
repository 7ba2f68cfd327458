package org.sidekiqsupervisor.alerts;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local webhook endpoint for the alert tests: it keeps the body and path of every request it accepts, and can be
 * told to refuse the next requests with a status, or to hold every request until the test lets it go.
 */
final class WebhookReceiver implements AutoCloseable {
    /** How long a test waits for an alert to arrive: a busy machine only makes the test slower. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newFixedThreadPool(4);
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    /** How many of the next requests are refused before the receiver accepts. */
    private final AtomicInteger failuresLeft = new AtomicInteger();
    /** The status the refusals carry. */
    private volatile int failureStatus = 503;
    private final AtomicInteger requests = new AtomicInteger();
    /** While set, every request waits for it before it is answered. */
    private volatile CountDownLatch hold;

    private WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A receiver listening on a free port of 127.0.0.1. */
    static WebhookReceiver start() {
        return new WebhookReceiver();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            requests.incrementAndGet();
            CountDownLatch held = hold;
            if (held != null) {
                held.await();
            }
            int status = failuresLeft.getAndDecrement() > 0 ? failureStatus : 200;
            if (status == 200) {
                received.add(body);
                paths.add(exchange.getRequestURI().getPath());
            }
            exchange.sendResponseHeaders(status, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    /** The URL of {@code path} on this receiver. */
    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Refuses the next {@code count} requests with {@code status}. */
    void refuseNext(int count, int status) {
        failureStatus = status;
        failuresLeft.set(count);
    }

    /** How many more requests would be refused; below zero once accepted ones followed the refusals. */
    int refusalsLeft() {
        return failuresLeft.get();
    }

    /** Every request from now on waits for {@code release} before it is answered. */
    void holdUntil(CountDownLatch release) {
        hold = release;
    }

    /** How many requests have arrived, accepted or not, held or not. */
    int requests() {
        return requests.get();
    }

    /** The bodies of the accepted requests, in the order they were accepted. */
    List<String> received() {
        return received;
    }

    /** Waits until at least {@code count} requests have been accepted. */
    void awaitReceived(int count) {
        await("%d alert(s) received".formatted(count)).atMost(PATIENCE).until(() -> received.size() >= count);
    }

    /** Waits until at least {@code count} requests have arrived, accepted or not. */
    void awaitRequests(int count) {
        await("%d request(s) arrived".formatted(count)).atMost(PATIENCE).until(() -> requests.get() >= count);
    }

    /** The body of the first accepted request to {@code path}. */
    String receivedAt(String path) {
        return received.get(paths.indexOf(path));
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
