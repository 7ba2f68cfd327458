package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** GET /metrics: Prometheus text with the supervisor's own metrics, all named supervisor_*, lost jobs and Redis included. */
@RequiresService(Service.REDIS_SERVER)
class MetricsIT {
    @Test
    void events_latency_jobs_lost_restarts_durations_and_health_are_published() {
        try (RedisServer redis = RedisServer.start(); FakeSidekiq sidekiq = new FakeSidekiq(redis, 7);
             TestServer server = TestServer.start("/", TestServer.memory().redisUrl(redis.url()).sidekiqVersion(SidekiqVersion.V7),
                     HttpSettings.builder().apiToken("secret").build())) {
            long longAgo = Instant.now().minusSeconds(600).getEpochSecond();
            server.post("/api/v1/jobs", "application/x-www-form-urlencoded", ("job_id=m1&job_class=Mailer&arguments=%5B1%5D&at="
                    + longAgo).getBytes(), "secret");
            server.post("/api/v1/jobs/m1/started", "application/x-www-form-urlencoded", ("at=" + (longAgo + 2)).getBytes(), "secret");
            server.post("/api/v1/jobs/m1/complete", "application/x-www-form-urlencoded", ("at=" + (longAgo + 5)).getBytes(), "secret");
            // A duplicate is not counted again.
            server.post("/api/v1/jobs/m1/complete", "application/x-www-form-urlencoded", ("at=" + (longAgo + 5)).getBytes(), "secret");
            server.post("/api/v1/jobs", "application/x-www-form-urlencoded", ("job_id=lost1&job_class=Report&queue=default"
                    + "&arguments=%5B2%5D&at=" + longAgo).getBytes(), "secret");
            server.post("/api/v1/jobs/lost1/started", "application/x-www-form-urlencoded", ("at=" + (longAgo + 1)).getBytes(), "secret");
            server.looks();

            TestServer.Reply scrape = server.get("/metrics");
            assertThat(scrape.status()).as("Prometheus scrapes without the API token").isEqualTo(200);
            String text = scrape.body();
            assertThat(text).contains("supervisor_events_total{job_class=\"Mailer\",status=\"complete\"} 1.0")
                    .contains("supervisor_events_total{job_class=\"Mailer\",status=\"queued\"} 1.0")
                    .contains("supervisor_ingest_seconds_bucket{le=\"0.005\"}")
                    .contains("supervisor_ingest_seconds_count 6")
                    .contains("supervisor_jobs{status=\"complete\"} 1.0")
                    .contains("supervisor_jobs{status=\"started\"} 1.0")
                    .contains("supervisor_job_run_seconds_bucket{job_class=\"Mailer\",le=\"5.0\"} 1")
                    .contains("supervisor_job_run_seconds_bucket{job_class=\"Mailer\",le=\"2.5\"} 0")
                    .contains("supervisor_job_wait_seconds_count{job_class=\"Mailer\"} 1")
                    .contains("supervisor_jobs_lost 1.0")
                    .contains("supervisor_looks_seconds_count 2")
                    .contains("supervisor_looks_lost_total 1.0")
                    .contains("supervisor_store_up 1.0")
                    .contains("supervisor_ingest_journal_pending_events 0.0")
                    .contains("supervisor_redis_up 1.0");
            assertThat(text.lines().filter(line -> !line.startsWith("#") && !line.isBlank()))
                    .allSatisfy(line -> assertThat(line).startsWith("supervisor_"));

            server.post("/api/v1/jobs/restart", "application/x-www-form-urlencoded", new byte[0], "secret");
            sidekiq.close();
            redis.close();
            String after = server.get("/metrics").body();
            assertThat(after).contains("supervisor_restarts_total 1.0").contains("supervisor_redis_up 0.0");
        }
    }
}
