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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.testing.RealSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.SupervisorProcess;
import redis.clients.jedis.Jedis;

/**
 * The whole path with real parts, on one major version of Sidekiq: a redis-server of its own, real Sidekiq processes
 * running the demo app ({@code ruby/demo}) with the production middleware ({@code ruby/sidekiq_supervisor.rb}), and
 * the standalone jar. Each version's class ({@link Sidekiq6EndToEndIT}, {@link Sidekiq7EndToEndIT},
 * {@link Sidekiq8EndToEndIT}) runs every scenario here. A failed test keeps its directory: the Sidekiq, enqueue and
 * supervisor logs are there.
 */
abstract class SidekiqEndToEnd {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DEMO = Path.of(System.getProperty("demo.dir", "ruby/demo")).toAbsolutePath().normalize();
    private static final String TOKEN = "e2e-token";
    /**
     * The bound on anything that waits for Sidekiq to start or to run something. Generous: Sidekiq 8 runs on JRuby,
     * which takes about 10 s to start before it loads anything, and this machine may be busy with other builds.
     */
    private static final Duration SIDEKIQ_PATIENCE = Duration.ofMinutes(3);
    /**
     * The bound on finding a job lost after its Sidekiq was killed: the dead process's work entry outlives it by
     * Sidekiq's 60 s heartbeat expiry, then the grace period and the looks at Sidekiq must pass.
     */
    private static final Duration LOST_PATIENCE = Duration.ofMinutes(3);

    private final int major;
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private RealSidekiq sidekiq;
    private RedisServer redis;
    private Jedis jedis;
    private final List<Process> sidekiqs = new ArrayList<>();
    private final List<SupervisorProcess> supervisors = new ArrayList<>();
    private int port;

    /** The scenarios on real Sidekiq of this major version (6, 7 or 8). */
    SidekiqEndToEnd(int major) {
        this.major = major;
    }

    @BeforeEach
    void start() {
        sidekiq = RealSidekiq.of(major);
        redis = RedisServer.start();
        jedis = new Jedis("127.0.0.1", redis.port());
        port = RedisServer.freePort();
    }

    @AfterEach
    void stop() throws IOException {
        sidekiqs.forEach(process -> process.toHandle().destroyForcibly());
        for (int i = 0; i < supervisors.size(); i++) {
            supervisors.get(i).close();
            Files.writeString(dir.resolve("supervisor-" + (i + 1) + ".log"), supervisors.get(i).log());
        }
        if (jedis != null) {
            jedis.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** The standalone jar on this test's port, Redis and store (its directory), with these options. */
    private SupervisorProcess supervisor(String... options) {
        for (int attempt = 1; ; attempt++) {
            List<String> args = new ArrayList<>(List.of("--port", String.valueOf(port), "--redis-url", redis.url(),
                    "--sidekiq-version", String.valueOf(major)));
            args.addAll(List.of(options));
            try {
                // With an API token: the middleware must send it, and the test's own reads too.
                SupervisorProcess supervisor = SupervisorProcess.serve(dir, Map.of("SUPERVISOR_API_TOKEN", TOKEN),
                        args.toArray(String[]::new));
                supervisors.add(supervisor);
                return supervisor;
            } catch (AssertionError e) {
                // The port was free when picked, but another process on the machine may take it before the supervisor
                // binds it (seen in CI). Until a supervisor has run in this test nothing points at the port yet, so
                // another free one will do; a restart must keep its port, and its failure stands.
                if (!supervisors.isEmpty() || attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
                port = RedisServer.freePort();
            }
        }
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    private Map<String, String> rubyEnv() {
        Map<String, String> env = new HashMap<>(sidekiq.environment());
        env.putAll(Map.of("REDIS_URL", redis.url(), "SIDEKIQ_SUPERVISOR_HOST", "http://127.0.0.1:" + port, "RUBYOPT", "-W0",
                "SIDEKIQ_SUPERVISOR_TOKEN", TOKEN));
        return env;
    }

    /** Starts a Sidekiq process with the demo app and returns once it has announced itself in Redis. */
    private Process sidekiq(String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(sidekiq.sidekiq().toString(), "-r", "./app.rb", "-c", "5",
                "-q", "critical", "-q", "default", "-t", "5")
                .directory(DEMO.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        builder.environment().putAll(rubyEnv());
        Process process = builder.start();
        sidekiqs.add(process);
        // Its identity (host:pid:nonce) carries the pid we hold: SIGKILL reaches Sidekiq itself, not a wrapper.
        awaitUntil(name + " (" + sidekiq + ") is up", SIDEKIQ_PATIENCE).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + "; see " + dir.resolve(name + ".log"));
            }
            return jedis.smembers("processes").stream().anyMatch(identity -> identity.contains(":" + process.pid() + ":"));
        });
        return process;
    }

    /** SIGKILL: Sidekiq cannot push its running jobs back, nor send what its middleware still holds. */
    private static void kill(Process process) throws InterruptedException {
        process.toHandle().destroyForcibly();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the killed Sidekiq ended").isTrue();
    }

    /** Runs {@code ruby enqueue.rb ARGS} with this version's Ruby and Sidekiq, and returns the jids it printed. */
    private JsonNode enqueue(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(sidekiq.ruby().toString(), "enqueue.rb"));
        command.addAll(List.of(args));
        Path errors = Files.createTempFile(dir, "enqueue", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(DEMO.toFile()).redirectError(errors.toFile());
        builder.environment().putAll(rubyEnv());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(SIDEKIQ_PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("enqueue.rb ended").isTrue();
        assertThat(process.exitValue()).as("enqueue.rb failed: " + Files.readString(errors)).isZero();
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

    /** The value of a metric of the supervisor's {@code /metrics} (the sum over its labels), or 0 while it has none. */
    private double metric(String name) {
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(base().resolve("metrics")).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return response.body().lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
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

    private long counter(String key) {
        String value = jedis.get(key);
        return value == null ? 0 : Long.parseLong(value);
    }

    /** Waits until {@code what} has happened, for at most {@code atMost}; its failure points at the logs. */
    private ConditionFactory awaitUntil(String what, Duration atMost) {
        return await(what + " (on " + sidekiq + "; logs in " + dir + ")").atMost(atMost).pollInterval(Duration.ofMillis(250));
    }

    /**
     * The job's {@code created_at} and {@code enqueued_at} are written as this version's client writes them (float
     * epoch seconds up to 7.x, integer epoch milliseconds in 8.x), and read that way fall between {@code notBefore}
     * and {@code notAfter}: a time in the wrong unit reads as 1970 or as a far future.
     */
    private void assertTimesAsSidekiqWrites(JsonNode payload, Instant notBefore, Instant notAfter) {
        for (String field : List.of("created_at", "enqueued_at")) {
            JsonNode at = payload.get(field);
            assertThat(at).as("%s of %s", field, payload).isNotNull();
            Instant read;
            if (major >= 8) {
                assertThat(at.isIntegralNumber()).as("Sidekiq %d writes %s as integer milliseconds: %s", major, field, payload).isTrue();
                read = Instant.ofEpochMilli(at.asLong());
            } else {
                assertThat(at.isFloatingPointNumber()).as("Sidekiq %d writes %s as float seconds: %s", major, field, payload).isTrue();
                read = Instant.ofEpochMilli(Math.round(at.asDouble() * 1000));
            }
            assertThat(read).as("%s read as Sidekiq %d reads it, in %s", field, major, payload).isBetween(notBefore, notAfter);
        }
    }

    @Test
    void a_job_killed_with_its_sidekiq_is_found_lost_restarted_and_run_by_a_fresh_sidekiq() throws Exception {
        // A grace longer than any version's heartbeat: this test is about the kill; a running job that the next
        // heartbeat has yet to list is a_job_fetched_since_the_last_heartbeat_is_running_not_lost's.
        supervisor("--lost-grace", "20");
        Process first = sidekiq("sidekiq-1");
        JsonNode jids = enqueue("mix", "long-e2e");
        String hard = jids.get("hard").asText();
        String nested = jids.get("nested").asText();
        String flaky = jids.get("flaky").asText();
        String longJob = jids.get("long").asText();

        awaitUntil("the quick jobs completed and the long one started", SIDEKIQ_PATIENCE).until(() ->
                status(hard).equals("complete") && status(nested).equals("complete") && status(flaky).equals("complete")
                        && status(longJob).equals("started") && counter("demo:starts:long-e2e") == 1);
        JsonNode nestedJob = get("api/v1/jobs/" + nested);
        assertThat(nestedJob.get("arguments").toString())
                .isEqualTo("[{\"k\":[1,{\"é\":null}],\"big\":12345678901234567890},\"ünï ✓ a&b=c+d %/?#\",[]]");
        assertThat(nestedJob.get("queue").asText()).isEqualTo("critical");
        JsonNode flakyJob = get("api/v1/jobs/" + flaky);
        assertThat(flakyJob.get("attempts").asInt()).isEqualTo(2);
        assertThat(flakyJob.get("error").get("class").asText()).isEqualTo("FlakyError");
        assertThat(flakyJob.get("events")).extracting(e -> e.get("status").asText()).containsSubsequence("started", "failed", "started", "complete");
        JsonNode running = get("api/v1/jobs/" + longJob);
        assertThat(running.get("lost").asBoolean()).isFalse();

        // A hard kill: Sidekiq cannot push the running job back; it is in no queue, retry or dead set.
        kill(first);
        assertThat(jedis.lrange("queue:default", 0, -1)).noneMatch(entry -> entry.contains(longJob));
        assertThat(jedis.zcard("retry") + jedis.zcard("dead")).isZero();

        // Lost once the dead process's heartbeat expires (Sidekiq keeps it 60 s) and the grace has passed.
        awaitUntil("the killed job is lost", LOST_PATIENCE).until(() ->
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

        // The replacement waits in Sidekiq's queue, written as this version's own client writes a job.
        List<JsonNode> queued = new ArrayList<>();
        for (String entry : jedis.lrange("queue:default", 0, -1)) {
            queued.add(JSON.readTree(entry));
        }
        assertThat(queued).extracting(job -> job.get("jid").asText()).containsExactly(replacement);
        JsonNode pushed = queued.get(0);
        assertThat(pushed.get("class").asText()).isEqualTo("LongJob");
        assertThat(pushed.get("args").toString()).isEqualTo("[\"long-e2e\"]");

        jedis.set("demo:release:long-e2e", "1");
        sidekiq("sidekiq-2");
        awaitUntil("the replacement ran to completion", SIDEKIQ_PATIENCE).until(() -> status(replacement).equals("complete"));
        assertThat(get("api/v1/jobs/" + longJob)).isNull();
        JsonNode done = get("api/v1/jobs/" + replacement);
        assertThat(done.get("restarted_from").asText()).isEqualTo(longJob);
        assertThat(done.get("restarts").asInt()).isEqualTo(1);
        assertThat(done.get("arguments").toString()).isEqualTo("[\"long-e2e\"]");
        // Pushed after the killed run started and before the replacement started (times from the same machine's clock).
        assertTimesAsSidekiqWrites(pushed, Instant.parse(running.get("started_at").asText()),
                Instant.parse(done.get("started_at").asText()));
        // The killed run started and never finished; the replacement started and finished: once each.
        assertThat(counter("demo:starts:long-e2e")).isEqualTo(2);
        assertThat(counter("demo:runs:long-e2e")).isEqualTo(1);
    }

    @Test
    void a_job_whose_started_died_with_its_sidekiq_while_the_supervisor_was_away_is_found_lost_and_restarted_once()
            throws Exception {
        SupervisorProcess away = supervisor("--lost-grace", "5", "--look-interval", "1");
        // Enqueued while no Sidekiq runs: the supervisor hears "queued", and nothing more.
        String jid = enqueue("long", "vanish-e2e").get("vanish-e2e").asText();
        awaitUntil("the job is recorded queued", SIDEKIQ_PATIENCE).until(() -> status(jid).equals("queued"));
        away.terminate();
        away.awaitExit();
        Process first = sidekiq("sidekiq-1");
        awaitUntil("the job started", SIDEKIQ_PATIENCE).until(() -> counter("demo:starts:vanish-e2e") == 1);
        // Killed while the supervisor is away: the "started" its middleware holds dies with it. Sidekiq holds the job
        // nowhere; the supervisor knows it only as queued.
        kill(first);
        assertThat(jedis.llen("queue:default")).isZero();
        assertThat(jedis.zcard("retry") + jedis.zcard("dead") + jedis.zcard("schedule")).isZero();

        supervisor("--lost-grace", "5", "--look-interval", "1", "--watchdog", "2");
        // Lost once the dead process's heartbeat expires (Sidekiq keeps it 60 s) and the looks miss the job long enough;
        // the watchdog then restarts it: the original leaves the store, its replacement waits in Sidekiq's queue.
        awaitUntil("the vanished job is restarted by the watchdog", LOST_PATIENCE).until(() -> get("api/v1/jobs/" + jid) == null);
        List<JsonNode> replacements = new ArrayList<>();
        get("api/v1/jobs?status=queued&limit=1000").get("jobs").forEach(job -> {
            if (jid.equals(job.get("restarted_from").asText(null))) {
                replacements.add(job);
            }
        });
        assertThat(replacements).as("restarted once").hasSize(1);
        String replacement = replacements.get(0).get("job_id").asText();
        assertThat(jedis.lrange("queue:default", 0, -1)).singleElement().satisfies(entry -> assertThat(entry).contains(replacement));

        jedis.set("demo:release:vanish-e2e", "1");
        sidekiq("sidekiq-2");
        awaitUntil("the replacement ran to completion", SIDEKIQ_PATIENCE).until(() -> status(replacement).equals("complete"));
        assertThat(get("api/v1/jobs/" + replacement).get("restarts").asInt()).isEqualTo(1);
        // The killed run started and never finished; the replacement started and finished: once each.
        assertThat(counter("demo:starts:vanish-e2e")).isEqualTo(2);
        assertThat(counter("demo:runs:vanish-e2e")).isEqualTo(1);
    }

    @Test
    void a_job_fetched_since_the_last_heartbeat_is_running_not_lost() throws Exception {
        // No grace at all: only the rule that looks must miss a job for longer than a heartbeat keeps it from being lost.
        supervisor("--lost-grace", "0", "--look-interval", "1");
        sidekiq("sidekiq-1");
        String jid = enqueue("long", "fresh-e2e").get("fresh-e2e").asText();
        awaitUntil("the job started", SIDEKIQ_PATIENCE).until(() -> status(jid).equals("started"));
        double looksBefore = metric("supervisor_looks_seconds_count");
        // One second between looks: twenty more looks span more than the 15 s a job must be missed before it is lost,
        // and cover the heartbeats that list it in its process's work. It is never lost meanwhile.
        awaitUntil("twenty looks while it runs", SIDEKIQ_PATIENCE).until(() -> {
            assertThat(get("api/v1/jobs/" + jid).get("lost").asBoolean()).as("a running job is never lost").isFalse();
            return metric("supervisor_looks_seconds_count") >= looksBefore + 20;
        });
        assertThat(get("api/v1/jobs?status=lost").get("jobs")).isEmpty();
        jedis.set("demo:release:fresh-e2e", "1");
        awaitUntil("the job completed", SIDEKIQ_PATIENCE).until(() -> status(jid).equals("complete"));
        assertThat(counter("demo:runs:fresh-e2e")).isEqualTo(1);
    }

    @Test
    void stopping_the_supervisor_never_makes_a_job_fail_or_run_twice() throws Exception {
        SupervisorProcess supervisor = supervisor("--lost-grace", "3");
        sidekiq("sidekiq-1");
        JsonNode before = enqueue("counted", "20");
        supervisor.terminate();
        supervisor.awaitExit();
        // With the supervisor away: enqueuing still works, and Sidekiq keeps running jobs.
        JsonNode during = enqueue("counted", "40");
        List<String> jids = new ArrayList<>();
        before.forEach(jid -> jids.add(jid.asText()));
        during.forEach(jid -> jids.add(jid.asText()));
        awaitUntil("every job ran", SIDEKIQ_PATIENCE).until(() -> {
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
        supervisor("--lost-grace", "3");
        awaitUntil("every job is recorded complete", SIDEKIQ_PATIENCE).until(() ->
                jids.stream().allMatch(jid -> status(jid).equals("complete")));
        assertThat(jids).hasSize(60).doesNotHaveDuplicates();
    }


}
