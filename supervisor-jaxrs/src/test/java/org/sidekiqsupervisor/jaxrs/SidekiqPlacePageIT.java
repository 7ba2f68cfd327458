package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;
import redis.clients.jedis.Pipeline;

/** The job page's "In Sidekiq now": each place a job can be, the search's budget, and Redis absent or down. */
class SidekiqPlacePageIT {
    private RedisServer redis;
    private FakeSidekiq sidekiq;
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (sidekiq != null) {
            sidekiq.close();
            redis.close();
        }
    }

    private void report(String jid, String queue) {
        assertThat(server.form("/api/v1/jobs", "job_id=" + jid + "&job_class=HardWorker&queue=" + queue + "&arguments=%5B1%5D")
                .status()).isLessThan(300);
    }

    @Test
    @RequiresService(Service.REDIS_SERVER)
    void the_job_page_says_where_the_job_is_in_sidekiq_now() {
        redis = RedisServer.start();
        sidekiq = new FakeSidekiq(redis, 8);
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url()).sidekiqVersion(SidekiqVersion.V8));
        new SidekiqProcesses(sidekiq.redis(), 8).process("web-1:101:aaa", "app", List.of("default"), Instant.now(), false,
                Map.of("oc7", SidekiqProcesses.job("run1", "default", "HardWorker", "[1]")));
        for (int i = 1; i <= 5; i++) {
            sidekiq.enqueued("q" + i, "default");
        }
        sidekiq.inSet("retry", 1795887460.5, sidekiq.failedJob("r1", "default", 2));
        sidekiq.inSet("schedule", 1795890000.0, FakeSidekiq.job("s1", "default"));
        sidekiq.inSet("dead", 1795887462.5, sidekiq.failedJob("d1", "default", 3));
        try (Pipeline pipeline = sidekiq.redis().pipelined()) {
            // Place 1 is the last pushed (LPUSH): "deep" waits at place 10,050 of 10,100, past the search's 10,000.
            for (int i = 0; i < 10_100; i++) {
                pipeline.lpush("queue:big", FakeSidekiq.job(i == 10_049 ? "deep" : "b" + i, "big"));
            }
            pipeline.sync();
        }
        for (String jid : List.of("run1", "q3", "r1", "s1", "d1", "gone1")) {
            report(jid, "default");
        }
        report("deep", "big");

        assertThat(place("run1")).contains("data-place=\"running\"").contains("<code>web-1:101:aaa</code>")
                .contains("thread <code>oc7</code>").containsPattern("\\(1 min 3\\d s ago\\)");
        assertThat(place("q3")).contains("data-place=\"queued\"").contains("<a href=\"/sidekiq/queues/default\">default</a>")
                .contains("position <strong>3</strong> of 5");
        assertThat(place("r1")).contains("data-place=\"retry\"").contains("2026-11-28T17:37:40.500Z");
        assertThat(place("s1")).contains("data-place=\"scheduled\"").contains("2026-11-28T18:20:00Z");
        assertThat(place("d1")).contains("data-place=\"dead\"").contains("2026-11-28T17:37:42.500Z");
        assertThat(place("gone1")).contains("data-place=\"nowhere\"");
        assertThat(place("deep")).contains("data-place=\"not-found\"")
                .contains("Not within the next 10,000 of 10,100 jobs in queue big.");
        sidekiq.redis().rpush("queue:big", FakeSidekiq.job("now-next", "big"));
        report("now-next", "big");
        assertThat(place("now-next")).contains("position <strong>1</strong> of 10,101");

        Reply unknown = server.get("/sidekiq/jobs/r1x");
        assertThat(unknown.status()).isEqualTo(404);
        sidekiq.inSet("retry", 1795887470.0, sidekiq.failedJob("r1x", "default", 0));
        assertThat(server.get("/sidekiq/jobs/r1x").body()).as("not known to the supervisor, but Sidekiq has it")
                .contains("data-place=\"retry\"");

        redis.close();
        Reply down = server.get("/sidekiq/jobs/q3");
        assertThat(down.status()).as("the rest of the page still shows").isEqualTo(200);
        assertThat(down.body()).contains("id=\"place-error\"").contains("did not answer").contains("id=\"timeline\"");
    }

    @Test
    void without_redis_the_job_page_says_nothing_about_sidekiq() {
        server = TestServer.start();
        report("j1", "default");
        Reply page = server.get("/sidekiq/jobs/j1");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"timeline\"").doesNotContain("sidekiq-place").doesNotContain("In Sidekiq now");
    }

    private String place(String jid) {
        Reply page = server.get("/sidekiq/jobs/" + jid);
        assertThat(page.status()).as(jid).isEqualTo(200);
        int at = page.body().indexOf("id=\"sidekiq-place\"");
        assertThat(at).as("the place on " + jid + "'s page").isPositive();
        return page.body().substring(at, page.body().indexOf("</section>", at));
    }
}
