package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;
import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;
import org.sidekiqsupervisor.testing.TcpProxy;

/**
 * PostgreSQL goes away under a running supervisor, through a proxy that cuts or hangs its connections (the real
 * server keeps running for the other tests): requests are answered 503 rather than left hanging, all of them at once
 * without piling up, /health says 503, nothing acknowledged before is lost, and service comes back by itself.
 */
@RequiresService(Service.POSTGRES)
class StoreOutageIT {
    /**
     * How long one request may take during the outage before the test calls it hung. The supervisor's own timeouts
     * answer within seconds; this bound is far beyond them, so that a busy machine only makes the test slower.
     */
    private static final Duration HUNG = Duration.ofMinutes(2);

    private PostgresDatabase database;
    private TcpProxy proxy;
    private TestServer server;

    @BeforeEach
    void start() {
        database = PostgresDatabase.create();
        URI postgres = PostgresDatabase.server();
        proxy = TcpProxy.to(postgres.getHost(), postgres.getPort());
        server = TestServer.start("/", org.sidekiqsupervisor.Supervisor.builder().databaseUrl(database.urlThrough(proxy.port()))
                .databaseUser(database.user()).statementTimeout(Duration.ofSeconds(2)));
        for (int i = 0; i < 50; i++) {
            assertThat(server.form("/api/v1/jobs", "job_id=before" + i + "&arguments=%5B" + i + "%5D").status()).isEqualTo(201);
        }
    }

    @AfterEach
    void stop() {
        server.close();
        proxy.close();
        database.close();
    }

    @Test
    void with_the_database_down_requests_get_503_not_a_hang_and_service_returns_by_itself() throws Exception {
        proxy.refuse();
        assertOutage();
        proxy.forward();
        assertRecovers();
    }

    @Test
    void with_the_network_hanging_requests_still_get_503_and_service_returns_by_itself() throws Exception {
        proxy.blackhole();
        // Statement timeout 2 s: the driver gives up on a silent connection after 7 s; a new one waits at most 5 s.
        assertOutage();
        proxy.forward();
        assertRecovers();
    }

    private void assertOutage() throws Exception {
        // Many requests at once: each is answered 503, not left hanging; threads do not pile up.
        ExecutorService clients = Executors.newFixedThreadPool(24);
        try {
            long start = System.nanoTime();
            List<Future<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int n = i;
                replies.add(clients.submit(() -> i(n) ? server.get("/api/v1/jobs?status=queued")
                        : server.form("/api/v1/jobs", "job_id=during" + n + "&arguments=%5B1%5D")));
            }
            for (Future<Reply> reply : replies) {
                Reply answer = reply.get(HUNG.toSeconds(), TimeUnit.SECONDS);
                assertThat(answer.status()).as(answer.body()).isEqualTo(503);
                assertThat(answer.header("Retry-After")).isNotNull();
                assertThat(answer.body()).doesNotContain("password");
            }
            // How long it took is for the reader of the test output, not judged: a busy machine takes longer.
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("store outage: 24 concurrent requests all answered 503 within %d ms%n", took.toMillis());
        } finally {
            clients.shutdownNow();
        }
        Reply health = server.get("/health");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.json().get("store").asText()).isNotEqualTo("ok");
        Reply page = server.get("/sidekiq/jobs");
        assertThat(page.status()).isEqualTo(503);
        assertThat(page.body()).contains("The database does not answer");
    }

    private static boolean i(int n) {
        return n % 3 == 0;
    }

    private void assertRecovers() {
        await("ingest works again once the database is back").atMost(HUNG).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(server.form("/api/v1/jobs", "job_id=after&arguments=%5B1%5D").status() / 100)
                        .as("ingest works again once the database is back").isEqualTo(2));
        assertThat(server.get("/health").status()).isEqualTo(200);
        for (int i = 0; i < 50; i++) {
            assertThat(server.get("/api/v1/jobs/before" + i).status()).isEqualTo(200);
        }
        // Nothing refused during the outage was written.
        for (int i = 0; i < 24; i++) {
            if (!i(i)) {
                assertThat(server.get("/api/v1/jobs/during" + i).status()).isEqualTo(404);
            }
        }
    }
}
