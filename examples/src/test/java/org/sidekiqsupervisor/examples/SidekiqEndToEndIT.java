package org.sidekiqsupervisor.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;
import org.sidekiqsupervisor.testing.SupervisorProcess;
import redis.clients.jedis.Jedis;

/**
 * The whole path with real parts: a redis-server of its own, real Sidekiq 6.4 (Debian's ruby-sidekiq) running
 * the demo app with the production middleware, and the standalone jar.
 */
@RequiresService({Service.RUBY_SIDEKIQ, Service.REDIS_SERVER})
class SidekiqEndToEndIT {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DEMO = Path.of(System.getProperty("demo.dir", "ruby/demo")).toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private RedisServer redis;
    private Jedis jedis;
    private final List<Process> sidekiqs = new ArrayList<>();
    private final List<SupervisorProcess> supervisors = new ArrayList<>();
    private int port;

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        jedis = new Jedis("127.0.0.1", redis.port());
        port = RedisServer.freePort();
    }

    @AfterEach
    void stop() {
        sidekiqs.forEach(process -> process.toHandle().destroyForcibly());
        supervisors.forEach(SupervisorProcess::close);
        if (jedis != null) {
            jedis.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static final String TOKEN = "e2e-token";

    private SupervisorProcess supervisor() {
        // With an API token: the middleware must send it, and the test's own reads too.
        SupervisorProcess supervisor = SupervisorProcess.serve(dir, Map.of("SUPERVISOR_API_TOKEN", TOKEN), "--port", String.valueOf(port),
                "--redis-url", redis.url(), "--sidekiq-version", "6", "--lost-grace", "3");
        supervisors.add(supervisor);
        return supervisor;
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    private Map<String, String> rubyEnv() {
        return Map.of("REDIS_URL", redis.url(), "SIDEKIQ_SUPERVISOR_HOST", "http://127.0.0.1:" + port, "RUBYOPT", "-W0",
                "SIDEKIQ_SUPERVISOR_TOKEN", TOKEN);
    }

    private Process sidekiq(String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("sidekiq", "-r", "./app.rb", "-c", "5", "-q", "critical", "-q", "default", "-t", "5")
                .directory(DEMO.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        builder.environment().putAll(rubyEnv());
        Process process = builder.start();
        sidekiqs.add(process);
        return process;
    }

    private JsonNode enqueue(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ruby", "enqueue.rb"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(DEMO.toFile()).redirectErrorStream(false);
        builder.environment().putAll(rubyEnv());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("enqueue.rb failed: " + err).isZero();
        String[] lines = out.trim().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(base().resolve(path)).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isIn(200, 404);
            return response.statusCode() == 404 ? null : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String status(String jid) {
        JsonNode job = get("api/v1/jobs/" + jid);
        return job == null ? "unknown" : job.get("status").asText();
    }

    /** Waits until {@code what} has happened, for at most {@code atMost}; its failure points at Sidekiq's logs. */
    private ConditionFactory awaitUntil(String what, Duration atMost) {
        return await(what + " (sidekiq logs in " + dir + ")").atMost(atMost).pollInterval(Duration.ofMillis(250));
    }

    @Test
    void a_job_killed_with_its_sidekiq_is_found_lost_restarted_and_run_by_a_fresh_sidekiq() throws Exception {
        supervisor();
        Process first = sidekiq("sidekiq-1");
        JsonNode jids = enqueue("mix", "long-e2e");
        String hard = jids.get("hard").asText();
        String nested = jids.get("nested").asText();
        String flaky = jids.get("flaky").asText();
        String longJob = jids.get("long").asText();

        awaitUntil("the quick jobs completed and the long one started", Duration.ofMinutes(2)).until(() ->
                status(hard).equals("complete") && status(nested).equals("complete") && status(flaky).equals("complete")
                        && status(longJob).equals("started"));
        JsonNode nestedJob = get("api/v1/jobs/" + nested);
        assertThat(nestedJob.get("arguments").toString())
                .isEqualTo("[{\"k\":[1,{\"é\":null}],\"big\":12345678901234567890},\"ünï ✓ a&b=c+d %/?#\",[]]");
        assertThat(nestedJob.get("queue").asText()).isEqualTo("critical");
        JsonNode flakyJob = get("api/v1/jobs/" + flaky);
        assertThat(flakyJob.get("attempts").asInt()).isEqualTo(2);
        assertThat(flakyJob.get("error").get("class").asText()).isEqualTo("FlakyError");
        assertThat(flakyJob.get("events")).extracting(e -> e.get("status").asText()).containsSubsequence("started", "failed", "started", "complete");
        assertThat(get("api/v1/jobs/" + longJob).get("lost").asBoolean()).isFalse();

        // A hard kill: Sidekiq cannot push the running job back; it is in no queue, retry or dead set.
        first.toHandle().destroyForcibly();
        first.waitFor(30, TimeUnit.SECONDS);
        assertThat(jedis.lrange("queue:default", 0, -1)).noneMatch(entry -> entry.contains(longJob));
        assertThat(jedis.zcard("retry") + jedis.zcard("dead")).isZero();

        // Lost once the dead process's heartbeat expires (Sidekiq keeps it 60 s) and the grace has passed.
        awaitUntil("the killed job is lost", Duration.ofMinutes(3)).until(() ->
                get("api/v1/jobs?status=lost").get("jobs").findValuesAsText("job_id").contains(longJob));
        assertThat(get("api/v1/jobs?status=lost").get("jobs")).hasSize(1);

        HttpResponse<String> restart = CLIENT.send(HttpRequest.newBuilder(base().resolve("api/v1/jobs/restart"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(restart.statusCode()).as(restart.body()).isEqualTo(200);
        JsonNode restarted = JSON.readTree(restart.body()).get("restarted");
        assertThat(restarted).hasSize(1);
        assertThat(restarted.get(0).get("job_id").asText()).isEqualTo(longJob);
        String replacement = restarted.get(0).get("new_job_id").asText();

        jedis.set("demo:release:long-e2e", "1");
        sidekiq("sidekiq-2");
        awaitUntil("the replacement ran to completion", Duration.ofMinutes(2)).until(() -> status(replacement).equals("complete"));
        assertThat(get("api/v1/jobs/" + longJob)).isNull();
        JsonNode done = get("api/v1/jobs/" + replacement);
        assertThat(done.get("restarted_from").asText()).isEqualTo(longJob);
        assertThat(done.get("restarts").asInt()).isEqualTo(1);
        assertThat(done.get("arguments").toString()).isEqualTo("[\"long-e2e\"]");
        // The killed run never finished; the replacement ran once.
        assertThat(jedis.get("demo:runs:long-e2e")).isEqualTo("1");
    }

    @Test
    void stopping_the_supervisor_never_makes_a_job_fail_or_run_twice() throws Exception {
        SupervisorProcess supervisor = supervisor();
        sidekiq("sidekiq-1");
        JsonNode before = enqueue("counted", "20");
        supervisor.terminate();
        supervisor.awaitExit();
        // With the supervisor away: enqueuing still works, and Sidekiq keeps running jobs.
        JsonNode during = enqueue("counted", "40");
        List<String> jids = new ArrayList<>();
        before.forEach(jid -> jids.add(jid.asText()));
        during.forEach(jid -> jids.add(jid.asText()));
        awaitUntil("every job ran", Duration.ofMinutes(2)).until(() -> {
            for (int i = 0; i < 40; i++) {
                if (jedis.get("demo:runs:counted:" + i) == null) {
                    return false;
                }
            }
            return jedis.llen("queue:default") == 0;
        });
        // Jobs 0..19 were enqueued twice (two batches), 20..39 once: each enqueued job ran exactly once.
        for (int i = 0; i < 40; i++) {
            assertThat(jedis.get("demo:runs:counted:" + i)).as("runs of counted job %d", i).isEqualTo(i < 20 ? "2" : "1");
        }
        assertThat(jedis.zcard("retry")).as("no job failed").isZero();
        assertThat(jedis.get("stat:failed")).isIn(null, "0");

        // Back again: the events buffered while it was away arrive by themselves.
        supervisor();
        awaitUntil("every job is recorded complete", Duration.ofMinutes(2)).until(() ->
                jids.stream().allMatch(jid -> status(jid).equals("complete")));
        assertThat(jids).hasSize(60).doesNotHaveDuplicates();
    }
}
