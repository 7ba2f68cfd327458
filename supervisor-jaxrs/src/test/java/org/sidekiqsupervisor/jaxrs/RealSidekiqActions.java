package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.sidekiq.SidekiqPayloads;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.RealSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import redis.clients.jedis.Jedis;

/**
 * The API as Sidekiq's monitoring app, against a real Sidekiq process of one major version that reports to the
 * supervisor through the production middleware ({@code examples/ruby/sidekiq_supervisor.rb}). Sidekiq itself puts the
 * jobs in its retry, schedule and dead sets (a job that fails, one scheduled an hour ahead, one that fails with
 * {@code retry: 0}), so every entry is in that version's own format. Through the API: the retry retried, the scheduled
 * job enqueued and the dead one retried all run and show complete in the supervisor under their own jids; a retry
 * killed is in the dead set as Sidekiq's own API lists it; quiet makes the process quiet and stop makes it exit; the
 * audit log names each action with actor {@code token}. A failed test keeps its directory with the Sidekiq log.
 */
abstract class RealSidekiqActions {
    /** The production middleware, from the examples module beside this one. */
    private static final Path MIDDLEWARE = Path.of(System.getProperty("middleware.rb", "../examples/ruby/sidekiq_supervisor.rb"))
            .toAbsolutePath().normalize();
    private static final String APP = """
            require "sidekiq"
            require "%s"
            SidekiqSupervisor.install
            Sidekiq.configure_server { |config| config.average_scheduled_poll_interval = 1 }

            # Fails its first run (into the retry set an hour ahead, or with retry: 0 into the dead set); runs after.
            class ApiFlakyJob
              include Sidekiq::Job
              sidekiq_retry_in { |_count, _exception| 3600 }
              def perform(key)
                runs = Sidekiq.redis { |redis| redis.call("INCR", "api:runs:#{key}") }
                raise "deliberate failure of #{key}" if runs == 1
              end
            end

            class ApiJob
              include Sidekiq::Job
              def perform(key)
                Sidekiq.redis { |redis| redis.call("INCR", "api:runs:#{key}") }
              end
            end

            # Fills the sets through Sidekiq's own client, and says which jid is which in the hash api:jids.
            class ApiSetupJob
              include Sidekiq::Job
              def perform
                jids = {
                  "retried" => ApiFlakyJob.perform_async("retried"),
                  "killed" => ApiFlakyJob.perform_async("killed"),
                  "dead" => ApiFlakyJob.set(retry: 0).perform_async("dead"),
                  "scheduled" => ApiJob.perform_in(3600, "scheduled")
                }
                Sidekiq.redis { |redis| redis.call("HSET", "api:jids", *jids.to_a.flatten) }
              end
            end
            """;
    /** The bound on anything that waits for Sidekiq: 8 runs on JRuby, slow to start on a busy machine. */
    private static final Duration PATIENCE = Duration.ofMinutes(4);

    private final int major;
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private RealSidekiq sidekiq;
    private RedisServer redis;
    private Jedis jedis;
    private TestServer server;
    private Process process;

    RealSidekiqActions(int major) {
        this.major = major;
    }

    @BeforeEach
    void start() throws IOException {
        assertThat(MIDDLEWARE).as("the production middleware (system property middleware.rb)").isRegularFile();
        sidekiq = RealSidekiq.of(major);
        redis = RedisServer.start();
        jedis = new Jedis("127.0.0.1", redis.port());
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url())
                .sidekiqVersion(SidekiqVersion.parse(String.valueOf(major))));
        Files.writeString(dir.resolve("app.rb"), APP.formatted(MIDDLEWARE));
    }

    @AfterEach
    void stop() {
        if (process != null) {
            process.toHandle().destroyForcibly();
        }
        server.close();
        jedis.close();
        redis.close();
    }

    @Test
    void sidekiqs_sets_and_processes_act_through_the_api_as_its_web_ui_does() throws Exception {
        startSidekiq();
        Map<String, String> jids = fillSetsThroughSidekiqsClient();

        retriedEnqueuedAndRetriedFromDeadRunToComplete(jids);
        String identity = killedRetryIsDeadAsSidekiqListsItAndQuietQuiets(jids.get("killed"));
        stopEndsTheProcess(identity);

        List<String> audited = new ArrayList<>();
        for (JsonNode entry : server.get("/api/v1/audit").json().get("entries")) {
            assertThat(entry.get("actor").asText()).as(entry.toString()).isEqualTo("token");
            audited.add(entry.get("action").asText() + " " + entry.get("target").asText() + " " + entry.get("jids"));
        }
        assertThat(audited).as("newest first").containsExactly(
                "process.stop " + identity + " []",
                "process.quiet " + identity + " []",
                "retries.kill retries [\"" + jids.get("killed") + "\"]",
                "dead.retry dead [\"" + jids.get("dead") + "\"]",
                "scheduled.enqueue scheduled [\"" + jids.get("scheduled") + "\"]",
                "retries.retry retries [\"" + jids.get("retried") + "\"]");
    }

    private void startSidekiq() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(sidekiq.sidekiq().toString(), "-r", "./app.rb", "-c", "2", "-q", "default",
                "-t", "5").directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("sidekiq.log").toFile());
        builder.environment().putAll(sidekiq.environment());
        builder.environment().putAll(Map.of("REDIS_URL", redis.url(), "RUBYOPT", "-W0",
                "SIDEKIQ_SUPERVISOR_HOST", server.base.toString()));
        process = builder.start();
        awaiting("Sidekiq started").until(() -> jedis.scard("processes") > 0);
    }

    /**
     * Pushes a job (as Sidekiq's client writes it for this version) whose run, in the real Sidekiq, fills the retry,
     * schedule and dead sets through Sidekiq's own client and retry logic; returns their jids by name.
     */
    private Map<String, String> fillSetsThroughSidekiqsClient() {
        jedis.sadd("queues", "default");
        jedis.lpush("queue:default", SidekiqPayloads.payload("ApiSetupJob", "[]", "a0a0a0a0a0a0a0a0a0a0a0a0", "default",
                Instant.now(), SidekiqVersion.parse(String.valueOf(major))));
        awaiting("Sidekiq filled its retry, schedule and dead sets").until(() ->
                jedis.hlen("api:jids") == 4 && jedis.zcard("retry") == 2 && jedis.zcard("schedule") == 1
                        && jedis.zcard("dead") == 1);
        Map<String, String> jids = jedis.hgetAll("api:jids");
        assertThat(jids).containsOnlyKeys("retried", "killed", "dead", "scheduled");
        // The supervisor heard of each through the middleware: the failures, and the scheduled job's queued.
        awaiting("the supervisor recorded the failures").until(() -> "failed".equals(status(jids.get("retried")))
                && "failed".equals(status(jids.get("killed"))) && "failed".equals(status(jids.get("dead")))
                && "queued".equals(status(jids.get("scheduled"))));
        return jids;
    }

    private void retriedEnqueuedAndRetriedFromDeadRunToComplete(Map<String, String> jids) {
        act("retries", "retry", jids.get("retried"));
        act("scheduled", "enqueue", jids.get("scheduled"));
        act("dead", "retry", jids.get("dead"));
        // Sidekiq keeps the jid through retry and enqueue: the supervisor's job is the same one.
        awaiting("the real Sidekiq ran each and the supervisor shows them complete").until(() ->
                "complete".equals(status(jids.get("retried"))) && "complete".equals(status(jids.get("scheduled")))
                        && "complete".equals(status(jids.get("dead"))));
        assertThat(List.of(jedis.get("api:runs:retried"), jedis.get("api:runs:scheduled"), jedis.get("api:runs:dead")))
                .as("runs: the failure and the retry, the scheduled one once, the dead one's failure and retry")
                .containsExactly("2", "1", "2");
        assertThat(List.of(jedis.zcard("retry"), jedis.zcard("schedule"), jedis.zcard("dead"))).containsExactly(1L, 0L, 0L);
        JsonNode events = server.get("/api/v1/jobs/" + jids.get("retried")).json().get("events");
        // The push was the supervisor's, not Sidekiq::Client's, so the supervisor recorded the queued event itself.
        assertThat(events.findValuesAsText("status")).as(events.toString()).endsWith("failed", "queued", "started", "complete");
        // The hash each ran with (the middleware sends it with started) is the one the API pushed: enqueued now, in
        // this version's format; a retry's retry_count one less, as Sidekiq's SortedEntry#retry leaves it.
        for (String name : List.of("retried", "scheduled", "dead")) {
            JsonNode payload = server.get("/api/v1/jobs/" + jids.get(name)).json().get("payload");
            JsonNode enqueued = payload.get("enqueued_at");
            assertThat(major == 8 ? enqueued.isIntegralNumber() : enqueued.isFloatingPointNumber()).as(name + ": " + payload)
                    .isTrue();
            assertThat(Duration.between(SidekiqVersion.readTimestamp(enqueued.doubleValue()), Instant.now()).abs())
                    .as(name + ": " + payload).isLessThan(Duration.ofMinutes(5));
            assertThat(payload.path("retry_count").asInt(99)).as(name + ": " + payload)
                    .isEqualTo(name.equals("scheduled") ? 99 : -1);
        }
    }

    /** Kills the retry (Sidekiq's own API lists it as dead, now), then quiets the process; returns its identity. */
    private String killedRetryIsDeadAsSidekiqListsItAndQuietQuiets(String killed) {
        act("retries", "kill", killed);
        JsonNode dead = server.get("/api/v1/sidekiq/dead").json().get("jobs");
        assertThat(dead).as(dead.toString()).hasSize(1);
        assertThat(dead.get(0).get("jid").asText()).isEqualTo(killed);
        assertThat(Duration.between(Instant.parse(dead.get(0).get("at").asText()), Instant.now()).abs())
                .as("dead since now").isLessThan(Duration.ofMinutes(5));

        JsonNode processes = server.get("/api/v1/sidekiq/busy").json().get("processes");
        assertThat(processes).as(processes.toString()).hasSize(1);
        assertThat(processes.get(0).get("pid").asLong()).as("the busy API names the process started").isEqualTo(process.pid());
        assertThat(processes.get(0).get("quiet").asBoolean()).isFalse();
        String identity = processes.get(0).get("identity").asText();
        TestServer.Reply quieted = server.post("/api/v1/sidekiq/processes/" + identity + "/quiet", null, "");
        assertThat(quieted.status()).as(quieted.body()).isEqualTo(202);
        awaiting("the real process is quiet, in its heartbeat and in the busy API").until(() ->
                "true".equals(jedis.hget(identity, "quiet"))
                        && server.get("/api/v1/sidekiq/busy").json().get("processes").get(0).get("quiet").asBoolean());

        // Sidekiq's own API, as its Web UI lists the dead set and the processes.
        String seen = sidekiq.rubyOutput("require 'sidekiq/api'; Sidekiq.configure_client { |c| c.redis = { url: '"
                + redis.url() + "' } }; dead = []; Sidekiq::DeadSet.new.each { |j| dead << j }; j = dead.first; "
                + "ps = Sidekiq::ProcessSet.new(false).to_a; "
                + "puts [dead.size, j.jid, j.klass, j.args.inspect, j.item['error_class'], j.item['retry_count'], "
                + "(Time.now - j.at).abs < 300, Sidekiq::RetrySet.new.size, "
                + "ps.map { |p| [p.identity, p.stopping?].join(' ') }.join(',')].join('|')");
        assertThat(seen).isEqualTo("1|" + killed + "|ApiFlakyJob|[\"killed\"]|RuntimeError|0|true|0|" + identity + " true");
        return identity;
    }

    private void stopEndsTheProcess(String identity) throws InterruptedException {
        TestServer.Reply stopped = server.post("/api/v1/sidekiq/processes/" + identity + "/stop", null, "");
        assertThat(stopped.status()).as(stopped.body()).isEqualTo(202);
        assertThat(process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the real Sidekiq exited; see "
                + dir.resolve("sidekiq.log")).isTrue();
        assertThat(process.exitValue()).as("its exit status").isZero();
        assertThat(jedis.sismember("processes", identity)).as("it left Sidekiq's processes set").isFalse();
        assertThat(server.get("/api/v1/sidekiq/busy").json().get("processes")).isEmpty();
    }

    /** An action through the API on one entry, which it reports done. */
    private void act(String set, String action, String jid) {
        TestServer.Reply reply = server.form("/api/v1/sidekiq/" + set + "/actions", "action=" + action + "&jid=" + jid);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().get("done")).as(reply.body()).hasSize(1);
        assertThat(reply.json().get("done").get(0).asText()).as(reply.body()).isEqualTo(jid);
    }

    /** The job's status in the supervisor ({@code GET /api/v1/jobs/{jid}}), or null while it does not know the job. */
    private String status(String jid) {
        TestServer.Reply reply = server.get("/api/v1/jobs/" + jid);
        return reply.status() == 404 ? null : reply.json().get("status").asText();
    }

    /** Waits for a condition, failing at once when the Sidekiq process has exited. */
    private ConditionFactory awaiting(String what) {
        return await(what + " (" + sidekiq + "; see " + dir.resolve("sidekiq.log") + ")").atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(250)).failFast("Sidekiq exited", (Callable<Boolean>) () -> !process.isAlive());
    }
}
