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
import org.sidekiqsupervisor.testing.TestClock;
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
    void a_lost_job_is_alerted_once_however_many_supervisors_look() throws Exception {
        AlertSettings settings = new AlertSettings(List.of(new AlertSettings.Webhook(receiver.url("/json"), AlertSettings.Format.JSON)),
                null, Map.of(), Duration.ZERO);
        String database = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        TestClock clock = new TestClock(Instant.parse("2026-11-28T18:00:00Z"));
        try (RedisServer redis = RedisServer.start(); FakeSidekiq sidekiq = new FakeSidekiq(redis, 7);
             // Two supervisors on one store, each looking at Sidekiq: one alert per lost job, not one per supervisor.
             Supervisor first = supervisor(database, redis, settings, clock);
             Supervisor second = supervisor(database, redis, settings, clock)) {
            Instant longAgo = clock.instant().minusSeconds(600);
            sidekiq.liveProcess("host:1:abc", Map.of("t1", "busy1"));
            first.jobManager().record(new JobEvent("gone1", JobStatus.STARTED, longAgo, "HardWorker", "default", "[1]", null, null, null));
            first.jobManager().record(new JobEvent("busy1", JobStatus.STARTED, longAgo, "HardWorker", "default", "[2]", null, null, null));
            first.jobManager().record(new JobEvent("oops", JobStatus.FAILED, longAgo, "Mailer", "mail", "[3]", "E", "boom", null));
            first.jobManager().lookAtSidekiq();
            second.jobManager().lookAtSidekiq();
            clock.advance(Duration.ofSeconds(61));
            assertThat(first.jobManager().lookAtSidekiq().newlyLost()).isEqualTo(1);
            assertThat(second.jobManager().lookAtSidekiq().newlyLost()).isZero();
            // Closing the supervisors below sends whatever is queued.
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

    private static Supervisor supervisor(String database, RedisServer redis, AlertSettings alerts, TestClock clock) {
        return Supervisor.builder().databaseUrl(database).redisUrl(redis.url()).alerts(alerts).clock(clock)
                .lostGrace(Duration.ofSeconds(60)).lookInterval(Duration.ZERO).build();
    }
}
