package org.sidekiqsupervisor.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.standalone.ConsoleFixture.Run;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** The console's restart command against a real redis-server: lost jobs restarted in rounds, with progress. */
@RequiresService(Service.REDIS_SERVER)
class ConsoleIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void restart_restarts_lost_jobs_in_rounds_with_progress() throws Exception {
        ConsoleFixture console = ConsoleFixture.create(dir);
        try (RedisServer redis = RedisServer.start(); FakeSidekiq sidekiq = new FakeSidekiq(redis, 7)) {
            sidekiq.liveProcess("host:1:abc", Map.of("t1", "job0"));
            console.looksAt(redis.url());
            Run plan = console.runOnStore("restart", "--dry-run", "--redis-url", redis.url());
            assertThat(plan.code()).isZero();
            // 110 started, one of them running: the looks found the other 109 lost.
            assertThat(plan.out()).contains("would restart 109 job(s)");
            assertThat(sidekiq.redis().llen("queue:default")).isZero();

            Run real = console.runOnStore("restart", "--redis-url", redis.url(), "--limit", "150");
            assertThat(real.code()).as(real.err()).isZero();
            assertThat(real.out()).contains("restarted 109 job(s)").contains("NEW_JOB_ID");
            assertThat(real.err()).contains("restarted 100 so far");
            assertThat(sidekiq.redis().llen("queue:default")).isEqualTo(109);

            JsonNode again = JSON.readTree(console.runOnStore("restart", "--redis-url", redis.url(), "--json").out());
            assertThat(again.get("restarted")).isEmpty();
            // A person who names the running job is told where it is.
            JsonNode named = JSON.readTree(console.runOnStore("restart", "--redis-url", redis.url(), "--job-id", "job0", "--json").out());
            assertThat(named.get("skipped").get(0).get("reason").asText()).isEqualTo("running");
        }
    }
}
