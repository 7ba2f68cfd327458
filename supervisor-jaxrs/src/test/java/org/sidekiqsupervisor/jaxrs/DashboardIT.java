package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/**
 * The /sidekiq dashboard over HTTP with Sidekiq's Redis: lost jobs on the pages, restarting and deleting them, and
 * Redis going away; {@link DashboardTest} has everything that needs no Redis.
 */
class DashboardIT {
    private TestServer server;
    private RedisServer redis;
    private FakeSidekiq sidekiq;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (sidekiq != null) {
            sidekiq.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @RequiresService(Service.REDIS_SERVER)
    void lost_jobs_restart_one_from_its_page_and_all_after_a_dry_run_confirmation() {
        redis = RedisServer.start();
        sidekiq = new FakeSidekiq(redis, 7);
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url()).sidekiqVersion(SidekiqVersion.V7));
        long longAgo = Instant.now().minusSeconds(600).getEpochSecond();
        for (String id : new String[] {"lost1", "lost2", "lost3", "busy1"}) {
            server.form("/api/v1/jobs", "job_id=" + id + "&job_class=HardWorker&queue=default&arguments=%5B%22" + id + "%22%5D&at=" + longAgo);
            server.form("/api/v1/jobs/" + id + "/started", "at=" + (longAgo + 1));
        }
        sidekiq.liveProcess("host:7:abc", Map.of("tid1", "busy1"));
        server.looks();

        Reply overview = server.get("/sidekiq");
        assertThat(overview.body()).contains("id=\"sidekiq\"").contains("<td>h:1").contains("status-lost");
        assertThat(overview.body()).containsPattern("<span class=\"count\">3</span><span class=\"label\">lost</span>");
        Reply lostTab = server.get("/sidekiq/jobs?status=lost");
        assertThat(count(lostTab.body(), "<td class=\"jid\">")).isEqualTo(3);
        assertThat(lostTab.body()).contains("id=\"restart-all\"");

        // One job, from its page.
        DashboardSession session = DashboardSession.open(server, "/sidekiq/jobs/lost1");
        assertThat(session.page).contains("id=\"restart-one\"").contains("id=\"job-lost\"");
        assertThat(session.post("/sidekiq/jobs/lost1/restart", "", true, null).status()).isEqualTo(403);
        assertThat(sidekiq.redis().llen("queue:default")).isZero();
        Reply one = session.post("/sidekiq/jobs/lost1/restart", "csrf_token=" + session.token, true, null);
        assertThat(one.status()).isEqualTo(200);
        assertThat(sidekiq.redis().llen("queue:default")).isEqualTo(1);
        assertThat(server.supervisor.jobManager().queries().job("lost1")).isEmpty();
        // A running job is left alone, with the reason shown.
        Reply running = session.post("/sidekiq/jobs/busy1/restart", "csrf_token=" + session.token, true, null);
        assertThat(running.body()).contains("<strong>0</strong> job(s) restarted").contains("running");

        // The rest on a filter: the confirmation is a dry run that changes nothing.
        Reply plan = session.get("/sidekiq/restart?filter=lost");
        assertThat(plan.body()).contains("<strong>2</strong> lost job(s) will be pushed back").contains("id=\"confirm-restart\"");
        assertThat(sidekiq.redis().llen("queue:default")).isEqualTo(1);
        Reply all = session.post("/sidekiq/restart", "filter=lost&csrf_token=" + session.token, true, null);
        assertThat(all.body()).contains("<strong>2</strong> job(s) restarted");
        assertThat(sidekiq.redis().llen("queue:default")).isEqualTo(3);
        assertThat(server.get("/sidekiq/jobs?status=lost").body()).contains("No lost jobs");
    }

    @Test
    @RequiresService(Service.REDIS_SERVER)
    void deleting_lost_jobs_on_a_filter_keeps_running_ones() {
        redis = RedisServer.start();
        sidekiq = new FakeSidekiq(redis, 7);
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url()).sidekiqVersion(SidekiqVersion.V7));
        long longAgo = Instant.now().minusSeconds(600).getEpochSecond();
        for (String id : new String[] {"lost1", "busy1"}) {
            server.form("/api/v1/jobs", "job_id=" + id + "&job_class=HardWorker&queue=default&arguments=%5B1%5D&at=" + longAgo);
            server.form("/api/v1/jobs/" + id + "/started", "at=" + (longAgo + 1));
        }
        sidekiq.liveProcess("host:7:abc", Map.of("tid1", "busy1"));
        server.looks();
        DashboardSession session = DashboardSession.open(server, "/sidekiq/delete?status=lost");
        assertThat(session.page).contains("lost1").doesNotContain(">busy1<");
        Reply done = session.post("/sidekiq/delete", "status=lost&csrf_token=" + session.token, true, null);
        assertThat(done.body()).contains("<strong>1</strong> job(s) deleted");
        assertThat(server.supervisor.jobManager().queries().job("lost1")).isEmpty();
        assertThat(server.supervisor.jobManager().queries().job("busy1")).isPresent();
    }

    @Test
    @RequiresService(Service.REDIS_SERVER)
    void with_redis_down_the_pages_show_what_the_looks_found_and_a_restart_changes_nothing() {
        redis = RedisServer.start();
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url()).sidekiqVersion(SidekiqVersion.V7));
        long longAgo = Instant.now().minusSeconds(600).getEpochSecond();
        server.form("/api/v1/jobs", "job_id=lost1&job_class=HardWorker&queue=default&arguments=%5B1%5D&at=" + longAgo);
        server.form("/api/v1/jobs/lost1/started", "at=" + (longAgo + 1));
        server.looks();
        DashboardSession session = DashboardSession.open(server, "/sidekiq/jobs/lost1");
        redis.close();
        Reply overview = server.get("/sidekiq");
        assertThat(overview.status()).isEqualTo(200);
        assertThat(overview.body()).contains("did not answer").contains("class=\"error\"")
                .containsPattern("<span class=\"count\">1</span><span class=\"label\">lost</span>");
        assertThat(server.get("/sidekiq/jobs").status()).isEqualTo(200);
        Reply lost = server.get("/sidekiq/jobs?status=lost");
        assertThat(lost.status()).isEqualTo(200);
        assertThat(lost.body()).contains("lost1");
        Reply restart = session.post("/sidekiq/jobs/lost1/restart", "csrf_token=" + session.token, true, null);
        assertThat(restart.status()).isEqualTo(503);
        assertThat(server.supervisor.jobManager().queries().job("lost1").orElseThrow().job().status()).isEqualTo(JobStatus.STARTED);
        assertThat(server.supervisor.jobManager().queries().job("lost1").orElseThrow().job().restartingTo()).isNull();
    }

    private static int count(String text, String needle) {
        return text.split(Pattern.quote(needle), -1).length - 1;
    }
}
