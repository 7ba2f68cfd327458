package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.RealSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import redis.clients.jedis.Jedis;

/**
 * The API's actions against real Sidekiq of one major version: a job in the retry set retried through the API is run
 * by a real Sidekiq process, and one killed through the API is in the dead set as Sidekiq's own API reads it.
 */
abstract class RealSidekiqActions {
    private static final String APP = """
            require "sidekiq"
            Sidekiq.configure_server { |config| config.average_scheduled_poll_interval = 1 }
            class ApiRetriedJob
              include Sidekiq::Job
              def perform(key)
                Sidekiq.redis { |redis| redis.call("SET", "api:done:#{key}", "1") }
              end
            end
            """;
    private static final long PATIENCE_SECONDS = 240;

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
        sidekiq = RealSidekiq.of(major);
        redis = RedisServer.start();
        jedis = new Jedis("127.0.0.1", redis.port());
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url())
                .sidekiqVersion(SidekiqVersion.parse(String.valueOf(major))));
        Files.writeString(dir.resolve("app.rb"), APP);
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

    /** A failed job as Sidekiq's retry logic leaves it, due an hour from now so that Sidekiq's poller leaves it be. */
    private void failed(String jid, String key) {
        long now = Instant.now().getEpochSecond();
        String created = major == 8 ? String.valueOf(now * 1000) : now + ".25";
        jedis.zadd("retry", now + 3600.5, "{\"retry\":true,\"queue\":\"default\",\"class\":\"ApiRetriedJob\",\"args\":[\""
                + key + "\"],\"jid\":\"" + jid + "\",\"created_at\":" + created + ",\"enqueued_at\":" + created
                + ",\"error_message\":\"boom\",\"error_class\":\"RuntimeError\",\"failed_at\":" + created + ",\"retry_count\":0}");
    }

    @Test
    void a_retry_retried_through_the_api_runs_and_one_killed_is_dead_as_sidekiq_reads_it() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(sidekiq.sidekiq().toString(), "-r", "./app.rb", "-c", "2", "-q", "default",
                "-t", "5").directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("sidekiq.log").toFile());
        builder.environment().putAll(sidekiq.environment());
        builder.environment().put("REDIS_URL", redis.url());
        builder.environment().put("RUBYOPT", "-W0");
        process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        while (jedis.scard("processes") == 0) {
            assertThat(process.isAlive()).as("Sidekiq runs; see " + dir.resolve("sidekiq.log")).isTrue();
            assertThat(System.nanoTime()).as("Sidekiq started in time").isLessThan(deadline);
            Thread.sleep(250);
        }
        failed("aaaaaaaaaaaaaaaaaaaaaaa1", "k1");
        failed("aaaaaaaaaaaaaaaaaaaaaaa2", "k2");

        TestServer.Reply retried = server.form("/api/v1/sidekiq/retries/actions", "action=retry&jid=aaaaaaaaaaaaaaaaaaaaaaa1");
        assertThat(retried.json().get("done").get(0).asText()).as(retried.body()).isEqualTo("aaaaaaaaaaaaaaaaaaaaaaa1");
        while (!jedis.exists("api:done:k1")) {
            assertThat(System.nanoTime()).as("Sidekiq ran the retried job; see " + dir.resolve("sidekiq.log")).isLessThan(deadline);
            Thread.sleep(250);
        }

        TestServer.Reply killed = server.form("/api/v1/sidekiq/retries/actions", "action=kill&jid=aaaaaaaaaaaaaaaaaaaaaaa2");
        assertThat(killed.json().get("done").get(0).asText()).as(killed.body()).isEqualTo("aaaaaaaaaaaaaaaaaaaaaaa2");
        String seen = sidekiq.rubyOutput("require 'sidekiq/api'; Sidekiq.configure_client { |c| c.redis = { url: '"
                + redis.url() + "' } }; ds = Sidekiq::DeadSet.new; j = ds.find_job('aaaaaaaaaaaaaaaaaaaaaaa2'); "
                + "puts [ds.size, j.jid, j.klass, j.item['error_class'], (Time.now - j.at).abs < 300, "
                + "Sidekiq::RetrySet.new.size].join('|')");
        assertThat(seen).isEqualTo("1|aaaaaaaaaaaaaaaaaaaaaaa2|ApiRetriedJob|RuntimeError|true|0");
        assertThat(server.get("/api/v1/audit").json().get("entries")).hasSize(2);
    }
}
