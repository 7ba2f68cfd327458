package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sidekiqsupervisor.internal.Json;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** Sidekiq's own jobs and actions over HTTP (contract section 7), in each version's layout, with a real redis-server. */
@RequiresService(Service.REDIS_SERVER)
class SidekiqWebApiIT {
    private RedisServer redis;
    private FakeSidekiq sidekiq;
    private TestServer server;

    private void start(int version, HttpSettings http) {
        redis = RedisServer.start();
        sidekiq = new FakeSidekiq(redis, version);
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url())
                .sidekiqVersion(SidekiqVersion.parse(String.valueOf(version))), http);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
            sidekiq.close();
            redis.close();
        }
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @ValueSource(ints = {6, 7, 8})
    void reads_pages_entries_and_busy_processes(int version) {
        start(version, HttpSettings.DEFAULTS);
        sidekiq.inSet("retry", 1795887460.5, sidekiq.failedJob("r1", "critical", 2));
        sidekiq.inSet("retry", 1795887461.5, sidekiq.failedJob("r2", "critical", 0));
        sidekiq.inSet("dead", 1795887462.5, sidekiq.failedJob("d1", "default", 3));
        sidekiq.inSet("schedule", 1795890000.0, FakeSidekiq.job("s1", "low"));
        sidekiq.enqueued("q1", "default");
        sidekiq.enqueued("q2", "default");
        sidekiq.liveProcess("host:1:abc", Map.of("tid1", "busy1"));

        JsonNode retries = server.get("/api/v1/sidekiq/retries?limit=1").json();
        assertThat(retries.get("size").asInt()).isEqualTo(2);
        JsonNode first = retries.get("jobs").get(0);
        assertThat(first.get("jid").asText()).isEqualTo("r1");
        assertThat(first.get("class").asText()).isEqualTo("FlakyJob");
        assertThat(first.get("args").toString()).isEqualTo("[1,\"bob\"]");
        assertThat(first.get("created_at").asText()).isEqualTo("2026-11-28T17:37:30.100Z");
        assertThat(first.get("failed_at").asText()).isEqualTo("2026-11-28T17:37:31.300Z");
        assertThat(first.get("at").asText()).isEqualTo("2026-11-28T17:37:40.500Z");
        assertThat(first.get("retry_count").asInt()).isEqualTo(2);
        assertThat(first.get("error_message").asText()).isEqualTo("boom");
        assertThat(first.get("payload").get("jid").asText()).isEqualTo("r1");
        String cursor = retries.get("next_cursor").asText();
        assertThat(server.get("/api/v1/sidekiq/retries?limit=1&cursor=" + cursor).json().get("jobs").get(0).get("jid").asText())
                .isEqualTo("r2");
        assertThat(server.get("/api/v1/sidekiq/retries?filter=%22r2%22").json().get("jobs")).extracting(j -> j.get("jid").asText())
                .containsExactly("r2");
        JsonNode detail = server.get("/api/v1/sidekiq/dead/d1").json();
        assertThat(detail.get("error_backtrace")).extracting(JsonNode::asText).containsExactly("app.rb:1:in `perform'", "lib.rb:2");
        BadInputTest.assertError(server.get("/api/v1/sidekiq/dead/r1"), 404, "jid");
        assertThat(server.get("/api/v1/sidekiq/scheduled").json().get("jobs").get(0).get("at").asText())
                .isEqualTo("2026-11-28T18:20:00.000Z");
        JsonNode queue = server.get("/api/v1/sidekiq/queues/default").json();
        assertThat(queue.get("jobs")).extracting(j -> j.get("jid").asText()).containsExactly("q1", "q2");
        assertThat(queue.get("jobs").get(0).has("at")).as("a queue's job has no score").isFalse();
        assertThat(server.get("/api/v1/sidekiq/queues").json().get("queues").get(0).get("size").asInt()).isEqualTo(2);
        JsonNode process = server.get("/api/v1/sidekiq/busy").json().get("processes").get(0);
        assertThat(process.get("identity").asText()).isEqualTo("host:1:abc");
        assertThat(process.get("jobs").get(0).get("jid").asText()).isEqualTo("busy1");
        assertThat(process.get("jobs").get(0).get("run_at").asText()).isEqualTo("2026-11-28T17:37:31.000Z");
        BadInputTest.assertError(server.get("/api/v1/sidekiq/retries?limit=0"), 400, "limit");
        BadInputTest.assertError(server.get("/api/v1/sidekiq/retries?cursor=xyz"), 400, "cursor");
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @ValueSource(ints = {6, 7, 8})
    void actions_write_what_sidekiq_writes_skip_what_is_gone_and_are_audited(int version) throws Exception {
        start(version, HttpSettings.DEFAULTS);
        sidekiq.inSet("retry", 1795887460.5, sidekiq.failedJob("r1", "critical", 2));
        sidekiq.inSet("retry", 1795887461.5, sidekiq.failedJob("r2", "critical", 0));
        sidekiq.inSet("dead", 1795887462.5, sidekiq.failedJob("d1", "default", 3));
        sidekiq.inSet("schedule", 1795890000.0, FakeSidekiq.job("s1", "low"));
        sidekiq.enqueued("q1", "default");
        sidekiq.enqueued("q2", "default");

        Reply dry = server.form("/api/v1/sidekiq/retries/actions", "action=retry&jid=r1&jid=r2&dry_run=true");
        assertThat(dry.json().get("done")).extracting(JsonNode::asText).containsExactly("r1", "r2");
        assertThat(sidekiq.redis().zcard("retry")).as("a dry run changes nothing").isEqualTo(2);
        assertThat(sidekiq.redis().exists("queue:critical")).isFalse();

        JsonNode retried = server.form("/api/v1/sidekiq/retries/actions", "action=retry&jid=r1&jid=nope").json();
        assertThat(retried.get("done")).extracting(JsonNode::asText).containsExactly("r1");
        assertThat(retried.get("skipped").get(0).get("reason").asText()).isEqualTo("not_found");
        JsonNode pushed = Json.MAPPER.readTree(sidekiq.redis().lindex("queue:critical", 0));
        assertThat(pushed.get("retry_count").asInt()).isEqualTo(1);
        assertThat(pushed.get("enqueued_at").isIntegralNumber()).as("ms on 8, float seconds before").isEqualTo(version == 8);

        JsonNode killed = server.post("/api/v1/sidekiq/retries/actions", "application/json",
                "{\"action\":\"kill\",\"jid\":[\"r2\"]}").json();
        assertThat(killed.get("done")).extracting(JsonNode::asText).containsExactly("r2");
        assertThat(sidekiq.redis().zcard("dead")).isEqualTo(2);
        assertThat(server.form("/api/v1/sidekiq/dead/actions", "action=retry&filter=%22jid%22%3A%22d1%22").json().get("done"))
                .extracting(JsonNode::asText).containsExactly("d1");
        assertThat(server.form("/api/v1/sidekiq/scheduled/actions", "action=enqueue&jid=s1").json().get("done"))
                .extracting(JsonNode::asText).containsExactly("s1");
        assertThat(sidekiq.redis().llen("queue:low")).isEqualTo(1);
        assertThat(server.form("/api/v1/sidekiq/queues/default/actions", "action=delete&jid=q1").json().get("done"))
                .extracting(JsonNode::asText).containsExactly("q1");
        JsonNode cleared = server.form("/api/v1/sidekiq/queues/default/actions", "action=clear").json();
        assertThat(cleared.get("count").asInt()).as("q2, and d1 retried onto default").isEqualTo(2);
        assertThat(cleared.get("done")).extracting(JsonNode::asText).containsExactly("q2", "d1");
        assertThat(sidekiq.redis().exists("queue:default")).isFalse();

        JsonNode audit = server.get("/api/v1/audit?limit=3").json();
        assertThat(audit.get("entries")).extracting(e -> e.get("action").asText())
                .containsExactly("queue.clear", "queue.delete", "scheduled.enqueue");
        JsonNode entry = audit.get("entries").get(1);
        assertThat(entry.get("actor").asText()).isEqualTo("token");
        assertThat(entry.get("target").asText()).isEqualTo("queue:default");
        assertThat(entry.get("jids")).extracting(JsonNode::asText).containsExactly("q1");
        assertThat(entry.get("count").asInt()).isEqualTo(1);
        JsonNode older = server.get("/api/v1/audit?limit=3&cursor=" + audit.get("next_cursor").asText()).json();
        assertThat(older.get("entries")).extracting(e -> e.get("action").asText() + ":" + e.get("dry_run").asBoolean())
                .containsExactly("dead.retry:false", "retries.kill:false", "retries.retry:false");
        assertThat(server.get("/api/v1/audit?limit=10").json().get("entries")).hasSize(7);
    }

    @Test
    void bad_input_is_a_400_that_changes_nothing() {
        start(7, HttpSettings.DEFAULTS);
        sidekiq.inSet("retry", 1795887460.5, sidekiq.failedJob("r1", "critical", 2));
        BadInputTest.assertError(server.form("/api/v1/sidekiq/retries/actions", "jid=r1"), 400, "action");
        BadInputTest.assertError(server.form("/api/v1/sidekiq/retries/actions", "action=explode&jid=r1"), 400, "action");
        BadInputTest.assertError(server.form("/api/v1/sidekiq/retries/actions", "action=enqueue&jid=r1"), 400, "action");
        BadInputTest.assertError(server.form("/api/v1/sidekiq/scheduled/actions", "action=kill&jid=r1"), 400, "action");
        BadInputTest.assertError(server.form("/api/v1/sidekiq/retries/actions", "action=retry"), 400, "jid");
        BadInputTest.assertError(server.form("/api/v1/sidekiq/retries/actions", "action=retry&jid=r1&jid=bad%20jid"), 400, "jid");
        BadInputTest.assertError(server.form("/api/v1/sidekiq/retries/actions", "action=retry&jid=r1&filter=x"), 400, "filter");
        BadInputTest.assertError(server.form("/api/v1/sidekiq/retries/actions", "action=retry&jid=r1&dry_run=maybe"), 400, "dry_run");
        BadInputTest.assertError(server.form("/api/v1/sidekiq/queues/default/actions", "action=nuke"), 400, "action");
        BadInputTest.assertError(server.form("/api/v1/sidekiq/queues/default/actions", "action=delete"), 400, "jid");
        BadInputTest.assertError(server.post("/api/v1/sidekiq/retries/actions", "application/json", "{\"action\":"), 400, null);
        BadInputTest.assertError(server.get("/api/v1/audit?limit=0"), 400, "limit");
        assertThat(sidekiq.redis().zcard("retry")).isEqualTo(1);
        assertThat(server.get("/api/v1/audit").json().get("entries")).as("nothing done, nothing recorded").isEmpty();
        BadInputTest.assertError(server.form("/api/v1/sidekiq/processes/nobody:1:x/quiet", ""), 404, "identity");
        sidekiq.liveProcess("host:1:abc", Map.of());
        assertThat(server.form("/api/v1/sidekiq/processes/host:1:abc/stop", "").status()).isEqualTo(202);
        assertThat(sidekiq.redis().lrange("host:1:abc-signals", 0, -1)).containsExactly("TERM");
    }

    @Test
    void read_only_refuses_every_action_with_403_and_still_reads() {
        start(7, HttpSettings.builder().readOnly(true).build());
        sidekiq.inSet("retry", 1795887460.5, sidekiq.failedJob("r1", "critical", 2));
        sidekiq.enqueued("q1", "default");
        sidekiq.liveProcess("host:1:abc", Map.of());
        for (String path : List.of("/api/v1/sidekiq/retries/actions", "/api/v1/sidekiq/scheduled/actions",
                "/api/v1/sidekiq/dead/actions", "/api/v1/sidekiq/queues/default/actions")) {
            Reply refused = server.form(path, "action=delete&jid=r1");
            BadInputTest.assertError(refused, 403, null);
            assertThat(refused.json().get("error").asText()).contains("read-only");
        }
        BadInputTest.assertError(server.form("/api/v1/sidekiq/processes/host:1:abc/quiet", ""), 403, null);
        assertThat(sidekiq.redis().zcard("retry")).isEqualTo(1);
        assertThat(sidekiq.redis().llen("queue:default")).isEqualTo(1);
        assertThat(sidekiq.redis().exists("host:1:abc-signals")).isFalse();
        assertThat(server.get("/api/v1/sidekiq/retries").status()).isEqualTo(200);
    }

    @Test
    void without_redis_409_and_with_redis_down_503() {
        try (TestServer noRedis = TestServer.start()) {
            BadInputTest.assertError(noRedis.get("/api/v1/sidekiq/retries"), 409, null);
            BadInputTest.assertError(noRedis.form("/api/v1/sidekiq/retries/actions", "action=delete&jid=r1"), 409, null);
            assertThat(noRedis.get("/api/v1/audit").status()).isEqualTo(200);
        }
        start(7, HttpSettings.DEFAULTS);
        redis.close();
        BadInputTest.assertError(server.get("/api/v1/sidekiq/dead"), 503, null);
        BadInputTest.assertError(server.form("/api/v1/sidekiq/dead/actions", "action=delete&jid=r1"), 503, null);
        BadInputTest.assertError(server.get("/api/v1/sidekiq/busy"), 503, null);
    }
}
