package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** Lost jobs, restart and Sidekiq's state over HTTP, with a real redis-server. */
@RequiresService(Service.REDIS_SERVER)
class SidekiqApiIT {
    private RedisServer redis;
    private FakeSidekiq sidekiq;
    private TestServer server;
    private final long longAgo = Instant.now().minusSeconds(600).getEpochSecond();

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        sidekiq = new FakeSidekiq(redis, 7);
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url()).sidekiqVersion(SidekiqVersion.V7));
        server.form("/api/v1/jobs", "job_id=lost1&job_class=HardWorker&queue=default&arguments=%5B1%5D&at=" + longAgo);
        server.form("/api/v1/jobs/lost1/started", "at=" + (longAgo + 1));
        server.form("/api/v1/jobs", "job_id=busy1&job_class=HardWorker&queue=default&arguments=%5B2%5D&at=" + longAgo);
        server.form("/api/v1/jobs/busy1/started", "at=" + (longAgo + 1));
        sidekiq.liveProcess("host:7:abc", Map.of("tid1", "busy1"));
        server.looks();
    }

    @AfterEach
    void stop() {
        server.close();
        sidekiq.close();
        redis.close();
    }

    @Test
    void status_lost_lists_the_jobs_sidekiq_lost_and_every_job_says_whether_it_is_lost() {
        JsonNode lost = server.get("/api/v1/jobs?status=lost").json();
        assertThat(lost.get("jobs")).extracting(job -> job.get("job_id").asText()).containsExactly("lost1");
        assertThat(lost.get("jobs").get(0).get("status").asText()).isEqualTo("started");
        assertThat(lost.get("jobs").get(0).get("lost").asBoolean()).isTrue();
        assertThat(lost.get("jobs").get(0).get("policy").asText()).as("every class restarts by default").isEqualTo("restart");
        assertThat(lost.get("jobs").get(0).has("quarantined")).isFalse();
        JsonNode all = server.get("/api/v1/jobs").json();
        assertThat(all.get("jobs")).extracting(job -> job.get("job_id").asText() + ":" + job.get("lost").asBoolean())
                .containsExactlyInAnyOrder("lost1:true", "busy1:false");
        assertThat(server.get("/api/v1/jobs/busy1").json().get("lost").asBoolean()).isFalse();
        assertThat(server.get("/api/v1/jobs/busy1").json().has("policy")).as("only a lost job says its policy").isFalse();
        assertThat(server.get("/api/v1/jobs/lost1").json().get("restarts").asInt()).isZero();
    }

    @Test
    void restart_over_http_dry_run_first_then_for_real() {
        Reply dryRun = server.form("/api/v1/jobs/restart", "dry_run=true");
        assertThat(dryRun.status()).isEqualTo(200);
        assertThat(dryRun.json().get("restarted")).singleElement().satisfies(r -> {
            assertThat(r.get("job_id").asText()).isEqualTo("lost1");
            assertThat(r.get("new_job_id").isNull()).isTrue();
        });
        // Only what the looks found lost is selected: the running job is not even considered.
        assertThat(dryRun.json().get("skipped")).isEmpty();
        assertThat(sidekiq.redis().llen("queue:default")).isZero();

        Reply real = server.post("/api/v1/jobs/restart", "application/json", "{\"filter\":\"[1]\"}");
        assertThat(real.status()).isEqualTo(200);
        String newJid = real.json().get("restarted").get(0).get("new_job_id").asText();
        assertThat(sidekiq.redis().lrange("queue:default", 0, -1)).singleElement().asString().contains(newJid);
        JsonNode replacement = server.get("/api/v1/jobs/" + newJid).json();
        assertThat(replacement.get("status").asText()).isEqualTo("queued");
        assertThat(replacement.get("restarted_from").asText()).isEqualTo("lost1");
        assertThat(replacement.get("restarts").asInt()).isEqualTo(1);
        assertThat(server.get("/api/v1/jobs/lost1").status()).isEqualTo(404);
        BadInputTest.assertError(server.form("/api/v1/jobs/restart", "limit=0"), 400, "limit");
        BadInputTest.assertError(server.form("/api/v1/jobs/restart", "dry_run=perhaps"), 400, "dry_run");
    }

    @Test
    void restart_narrows_to_one_job_a_class_or_a_queue() {
        server.form("/api/v1/jobs", "job_id=lost2&job_class=Mailer&queue=mail&arguments=%5B3%5D&at=" + longAgo);
        server.form("/api/v1/jobs/lost2/started", "at=" + (longAgo + 1));
        server.looks();
        JsonNode byClass = server.form("/api/v1/jobs/restart", "dry_run=true&job_class=Mailer").json();
        assertThat(byClass.get("restarted")).extracting(r -> r.get("job_id").asText()).containsExactly("lost2");
        JsonNode byQueue = server.form("/api/v1/jobs/restart", "dry_run=true&queue=default").json();
        assertThat(byQueue.get("restarted")).extracting(r -> r.get("job_id").asText()).containsExactly("lost1");
        JsonNode byId = server.form("/api/v1/jobs/restart", "job_id=lost2").json();
        assertThat(byId.get("restarted")).extracting(r -> r.get("job_id").asText()).containsExactly("lost2");
        assertThat(sidekiq.redis().llen("queue:mail")).isEqualTo(1);
        assertThat(sidekiq.redis().llen("queue:default")).isZero();
        JsonNode running = server.form("/api/v1/jobs/restart", "job_id=busy1").json();
        assertThat(running.get("restarted")).isEmpty();
        assertThat(running.get("skipped").get(0).get("reason").asText()).isEqualTo("running");
        BadInputTest.assertError(server.form("/api/v1/jobs/restart", "job_id=bad%20id"), 400, "job_id");
        assertThat(server.form("/api/v1/jobs/restart", "job_id=unknown").json().get("restarted")).isEmpty();
    }

    @Test
    void sidekiqs_live_state_is_served() {
        sidekiq.enqueued("w1", "default");
        sidekiq.inSet("dead", "d1");
        JsonNode state = server.get("/api/v1/sidekiq").json();
        assertThat(state.get("enqueued").asInt()).isEqualTo(1);
        assertThat(state.get("busy").asInt()).isEqualTo(1);
        assertThat(state.get("dead_size").asInt()).isEqualTo(1);
        assertThat(state.get("queues").get(0).get("name").asText()).isEqualTo("default");
        assertThat(state.get("queues").get(0).get("latency_s").asDouble()).isPositive();
        assertThat(state.get("processes").get(0).get("identity").asText()).isEqualTo("host:7:abc");
        assertThat(server.get("/health").json().get("redis").asText()).isEqualTo("ok");
    }

    @Test
    void with_redis_down_pages_answer_with_what_the_looks_found_and_what_needs_redis_answers_503_changing_nothing() {
        redis.close();
        Reply list = server.get("/api/v1/jobs");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("jobs")).extracting(job -> job.get("job_id").asText() + ":" + job.get("lost").asBoolean())
                .containsExactlyInAnyOrder("lost1:true", "busy1:false");
        assertThat(server.get("/api/v1/jobs?status=lost").json().get("jobs")).extracting(job -> job.get("job_id").asText())
                .containsExactly("lost1");
        BadInputTest.assertError(server.form("/api/v1/jobs/restart", ""), 503, null);
        BadInputTest.assertError(server.get("/api/v1/sidekiq"), 503, null);
        assertThat(server.get("/health").status()).isEqualTo(503);
        assertThat(server.get("/api/v1/jobs/lost1").json().get("status").asText()).isEqualTo("started");
        assertThat(server.get("/api/v1/jobs/lost1").json().get("lost").asBoolean()).as("claim released, still lost").isTrue();
    }
}
