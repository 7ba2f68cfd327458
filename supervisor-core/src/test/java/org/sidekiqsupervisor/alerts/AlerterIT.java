package org.sidekiqsupervisor.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** Lost-job alerts from a whole supervisor, which asks a real redis-server what Sidekiq still holds. */
@RequiresService(Service.REDIS_SERVER)
class AlerterIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WebhookReceiver receiver;

    @BeforeEach
    void start() {
        receiver = WebhookReceiver.start();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void the_supervisor_finds_lost_jobs_on_its_own_and_alerts_them() throws Exception {
        AlertSettings settings = new AlertSettings(List.of(new AlertSettings.Webhook(receiver.url("/json"), AlertSettings.Format.JSON)),
                null, Map.of(), Duration.ZERO, Duration.ofMillis(200));
        try (RedisServer redis = RedisServer.start(); FakeSidekiq sidekiq = new FakeSidekiq(redis, 7);
             Supervisor supervisor = Supervisor.builder().databaseUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
                     .redisUrl(redis.url()).alerts(settings).build()) {
            Instant longAgo = Instant.now().minusSeconds(600);
            // Running before it is recorded, so that no scheduled check can see busy1 started and nowhere in Sidekiq.
            sidekiq.liveProcess("host:1:abc", Map.of("t1", "busy1"));
            supervisor.jobManager().record(new JobEvent("gone1", JobStatus.STARTED, longAgo, "HardWorker", "default", "[1]", null, null, null));
            supervisor.jobManager().record(new JobEvent("busy1", JobStatus.STARTED, longAgo, "HardWorker", "default", "[2]", null, null, null));
            supervisor.jobManager().record(new JobEvent("oops", JobStatus.FAILED, Instant.now(), "Mailer", "mail", "[3]", "E", "boom", null));
            receiver.awaitReceived(2);
            // One more check after the scheduled ones: a running job or a second alert for gone1 would be queued by it,
            // and closing the supervisor below sends whatever is queued.
            supervisor.jobManager().alertLostJobs();
        }
        List<String> events = receiver.received().stream().map(body -> {
            try {
                JsonNode node = JSON.readTree(body);
                return node.get("event").asText() + " " + node.get("job").get("job_id").asText();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(events).containsExactlyInAnyOrder("job_lost gone1", "job_failed oops");
    }
}
