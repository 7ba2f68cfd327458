package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The supervisor's metrics in a host application's own registry; {@link MetricsIT} scrapes its Prometheus text. */
class MetricsTest {
    @Test
    void a_host_registry_gets_the_metrics_and_metrics_answers_404() {
        SimpleMeterRegistry host = new SimpleMeterRegistry();
        try (TestServer server = TestServer.start("/", TestServer.memory().meterRegistry(host))) {
            server.form("/api/v1/jobs", "job_id=h1&job_class=A");
            assertThat(host.get("supervisor.events").tags("status", "queued", "job_class", "A").counter().count()).isEqualTo(1.0);
            BadInputTest.assertError(server.get("/metrics"), 404, null);
        }
    }
}
