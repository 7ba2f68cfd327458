package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;
import redis.clients.jedis.Jedis;

/**
 * The dashboard's Queues pages over HTTP against a real redis-server: sizes, latency and the no-listener warning,
 * one queue paged next to run first, and Delete and Clear (confirmed, CSRF-guarded, audited).
 */
@RequiresService(Service.REDIS_SERVER)
class SidekiqQueuePagesIT {
    private RedisServer redis;
    private Jedis jedis;
    private TestServer server;

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        jedis = new Jedis("127.0.0.1", redis.port());
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url()).sidekiqVersion(SidekiqVersion.V7));
    }

    @AfterEach
    void stop() {
        server.close();
        jedis.close();
        redis.close();
    }

    /** Pushes a job as Sidekiq's client does (at the head), enqueued {@code secondsAgo} ago. */
    private void enqueue(String queue, String jid, String args, long secondsAgo) {
        double at = Instant.now().minusSeconds(secondsAgo).toEpochMilli() / 1000.0;
        jedis.sadd("queues", queue);
        jedis.lpush("queue:" + queue, "{\"retry\":true,\"queue\":\"" + queue + "\",\"class\":\"HardWorker\",\"args\":" + args
                + ",\"jid\":\"" + jid + "\",\"created_at\":" + at + ",\"enqueued_at\":" + at + "}");
    }

    @Test
    void queues_show_size_latency_and_warn_where_no_running_process_takes_jobs() {
        enqueue("default", "d1", "[1]", 95);
        enqueue("default", "d2", "[2]", 1);
        enqueue("critical", "c1", "[1]", 5);
        enqueue("low", "l1", "[1]", 10);
        enqueue("paused", "p1", "[1]", 10);
        SidekiqProcesses processes = new SidekiqProcesses(jedis, 7);
        processes.process("web-1:1:a", "app", List.of("critical", "default"), Instant.now(), false, Map.of());
        processes.process("web-2:2:b", "app", List.of("paused"), Instant.now(), true, Map.of());

        Reply queues = server.get("/sidekiq/queues");
        assertThat(queues.status()).isEqualTo(200);
        assertThat(queues.body()).contains("data-live=\"5\"").contains("<a href=\"/sidekiq/queues\" class=\"current\">");
        String critical = row(queues.body(), "critical");
        String defaultRow = row(queues.body(), "default");
        assertThat(defaultRow).contains("<a href=\"/sidekiq/queues/default\">default</a>")
                .containsPattern("<td class=\"num\">2</td>").containsPattern("<td class=\"num\">9\\d\\.\\d\\d \\(1 min 3\\d s ago\\)</td>")
                .doesNotContain("sidekiq-warning").contains("action=\"/sidekiq/queues/default/clear\"");
        assertThat(critical).containsPattern("<td class=\"num\">[56]\\.\\d\\d</td>").doesNotContain("sidekiq-warning");
        assertThat(row(queues.body(), "low")).contains("No running process takes jobs from this queue");
        assertThat(row(queues.body(), "paused")).as("its only process is quiet").contains("sidekiq-warning");
    }

    @Test
    void a_queue_is_paged_25_at_a_time_next_to_run_first() {
        for (int i = 0; i < 30; i++) {
            enqueue("default", "j" + i, "[" + i + ", \"<b>bold</b>\"]", 60 - i);
        }
        Reply first = server.get("/sidekiq/queues/default");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body()).contains("id=\"queue-size\">30<").contains("href=\"/sidekiq/queues/default?cursor=25\" id=\"next-page\"")
                .doesNotContain("id=\"prev-page\"").contains("&lt;b&gt;bold&lt;/b&gt;").doesNotContain("<b>bold");
        assertThat(first.body()).containsPattern("<td class=\"num\">1</td>\\s*<td class=\"jid\"><a href=\"/sidekiq/jobs/j0\">j0</a>")
                .containsPattern("<td class=\"num\">25</td>\\s*<td class=\"jid\"><a href=\"/sidekiq/jobs/j24\">j24</a>")
                .doesNotContain(">j25<").containsPattern("1 min( \\d s)? ago");
        Reply second = server.get("/sidekiq/queues/default?cursor=25");
        assertThat(second.body()).containsPattern("<td class=\"num\">26</td>\\s*<td class=\"jid\"><a href=\"/sidekiq/jobs/j25\">")
                .contains(">j29<").doesNotContain(">j24<").doesNotContain("id=\"next-page\"")
                .contains("href=\"/sidekiq/queues/default\" id=\"prev-page\"");
        for (String bad : List.of("xyz", "-1", "1.5")) {
            Reply refused = server.get("/sidekiq/queues/default?cursor=" + bad);
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.body()).contains("cursor is not one this API returned");
        }
    }

    @Test
    void delete_one_job_and_clear_the_queue_after_confirmation_with_csrf_and_audited() {
        for (int i = 0; i < 5; i++) {
            enqueue("default", "j" + i, "[" + i + "]", 10);
        }
        DashboardSession session = DashboardSession.open(server, "/sidekiq/queues/default/delete?jid=j3");
        assertThat(session.page).contains("Delete job j3").contains("action=\"/sidekiq/queues/default/delete\"")
                .contains("name=\"jid\" value=\"j3\"");
        assertThat(jedis.llen("queue:default")).as("the confirmation changes nothing").isEqualTo(5);
        assertThat(session.post("/sidekiq/queues/default/delete", "jid=j3", true, null).status()).isEqualTo(403);
        assertThat(session.post("/sidekiq/queues/default/delete", "jid=j3&csrf_token=" + session.token, false, null).status())
                .isEqualTo(403);
        assertThat(jedis.llen("queue:default")).as("no token, nothing deleted").isEqualTo(5);

        Reply deleted = session.post("/sidekiq/queues/default/delete", "jid=j3&csrf_token=" + session.token, true, null);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body()).contains("Job j3 was deleted from default");
        assertThat(jedis.lrange("queue:default", 0, -1)).hasSize(4).noneMatch(entry -> entry.contains("\"j3\""));
        Reply again = session.post("/sidekiq/queues/default/delete", "jid=j3&csrf_token=" + session.token, true, null);
        assertThat(again.body()).contains("Nothing deleted").containsPattern("<code>j3</code> <span class=\"badge\">gone</span>");
        Reply badJid = session.post("/sidekiq/queues/default/delete", "jid=%3Cx%3E&csrf_token=" + session.token, true, null);
        assertThat(badJid.status()).isEqualTo(400);
        assertThat(session.get("/sidekiq/queues/default/delete?jid=").status()).isEqualTo(400);
        assertThat(jedis.llen("queue:default")).isEqualTo(4);

        Reply confirmClear = session.get("/sidekiq/queues/default/clear");
        assertThat(confirmClear.body()).contains("This deletes all 4 job(s) waiting in default").contains("Clear 4 job(s)");
        assertThat(jedis.llen("queue:default")).isEqualTo(4);
        assertThat(session.post("/sidekiq/queues/default/clear", "", true, null).status()).isEqualTo(403);
        assertThat(jedis.llen("queue:default")).isEqualTo(4);
        Reply cleared = session.post("/sidekiq/queues/default/clear", "csrf_token=" + session.token, true, null);
        assertThat(cleared.body()).contains("4 job(s) were deleted from default");
        assertThat(jedis.exists("queue:default")).isFalse();
        assertThat(jedis.sismember("queues", "default")).isFalse();

        JsonNode audit = server.get("/api/v1/audit?limit=10").json().get("entries");
        assertThat(audit).extracting(e -> e.get("action").asText() + " " + e.get("target").asText() + " " + e.get("count").asInt()
                + " " + e.get("actor").asText())
                .containsExactly("queue.clear queue:default 4 dashboard", "queue.delete queue:default 0 dashboard",
                        "queue.delete queue:default 1 dashboard");
        assertThat(audit.get(2).get("jids")).extracting(JsonNode::asText).containsExactly("j3");
    }

    /** The table row of a queue on the Queues page. */
    private static String row(String page, String queue) {
        int at = page.indexOf("<a href=\"/sidekiq/queues/" + queue + "\">");
        assertThat(at).as("a row for " + queue).isPositive();
        return page.substring(page.lastIndexOf("<tr>", at), page.indexOf("</tr>", at));
    }
}
