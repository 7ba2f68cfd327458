package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;
import redis.clients.jedis.Jedis;

/**
 * The dashboard's Busy page over HTTP against a real redis-server, with processes written as Sidekiq 6, 7 and 8 write
 * them: the processes and their running jobs, Quiet and Stop (confirmed, CSRF-guarded, audited), --read-only, and
 * Redis absent or down.
 */
class SidekiqBusyPagesIT {
    private static final String WEB1 = "web-1:101:aaa";
    private static final String WEB2 = "web-2:202:bbb";
    private RedisServer redis;
    private Jedis jedis;
    private TestServer server;

    private void start(int version, HttpSettings http) {
        redis = RedisServer.start();
        jedis = new Jedis("127.0.0.1", redis.port());
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url())
                .sidekiqVersion(SidekiqVersion.parse(String.valueOf(version))), http);
        SidekiqProcesses processes = new SidekiqProcesses(jedis, version);
        Instant now = Instant.now();
        processes.process(WEB1, "storefront", List.of("critical", "default"), now, false, Map.of(
                "oc7", SidekiqProcesses.job("jid1", "critical", "MailerJob", "[\"<script>alert(1)</script>\",2]"),
                "obv", SidekiqProcesses.job("jid2", "critical", "ImportJob", "[\"" + "x".repeat(300) + "\"]")));
        // Quiet, and its heartbeat five minutes old: flagged.
        processes.process(WEB2, "batch", List.of("low"), now.minusSeconds(300), true, Map.of());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (jedis != null) {
            jedis.close();
            redis.close();
        }
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @ValueSource(ints = {6, 7, 8})
    @RequiresService(Service.REDIS_SERVER)
    void shows_the_processes_and_what_each_thread_runs_with_links(int version) {
        start(version, HttpSettings.DEFAULTS);
        Reply busy = server.get("/sidekiq/busy");
        assertThat(busy.status()).isEqualTo(200);
        String page = busy.body();
        assertThat(page).contains("data-live=\"5\"").contains("<a href=\"/sidekiq/busy\" class=\"current\">");
        assertThat(page).containsPattern("<span class=\"count\">2</span><span class=\"label\">processes</span>")
                .containsPattern("<span class=\"count\">20</span><span class=\"label\">threads</span>")
                .containsPattern("<span class=\"count\">2</span><span class=\"label\">busy</span>")
                .containsPattern("<span class=\"count\">10%</span><span class=\"label\">utilization</span>")
                .containsPattern("<span class=\"count\">200.0 MB</span><span class=\"label\">RSS</span>");
        assertThat(page).contains("web-1:101").contains("<span class=\"tag\">storefront</span>")
                .contains("Queues: critical, default").contains("Queues: low");
        assertThat(page).contains("<span class=\"tag quiet\">quiet</span>").contains("no heartbeat for 5 min");
        assertThat(page.split("no heartbeat for", -1)).as("only the old heartbeat is flagged").hasSize(2);
        if (version == 6) {
            assertThat(page).doesNotContain("<span class=\"badge\">v");
        } else {
            assertThat(page).contains("<span class=\"badge\">v" + (version == 7 ? "7.3.9" : "8.0.9") + "</span>");
        }
        assertThat(page).contains("<a href=\"/sidekiq/jobs/jid1\">jid1</a>").contains("<a href=\"/sidekiq/jobs/jid2\">jid2</a>")
                .contains("<a href=\"/sidekiq/queues/critical\">critical</a>").contains("MailerJob").contains(">oc7<")
                .containsPattern("running 1 min 3[01] s");
        assertThat(page).as("arguments are escaped").contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert");
        assertThat(page).as("long arguments are cut").contains("x".repeat(90) + "…").doesNotContain("x".repeat(150));
        assertThat(page).contains("action=\"/sidekiq/busy/quiet\"").contains("action=\"/sidekiq/busy/stop\"")
                .contains("id=\"quiet-all\"").contains("id=\"stop-all\"");
    }

    @Test
    @RequiresService(Service.REDIS_SERVER)
    void quiet_and_stop_signal_the_processes_after_confirmation_with_csrf_and_are_audited() {
        start(7, HttpSettings.DEFAULTS);
        DashboardSession session = DashboardSession.open(server, "/sidekiq/busy");
        String quietWeb1 = "identity=" + WEB1 + "&csrf_token=" + session.token;

        assertThat(session.post("/sidekiq/busy/quiet", "identity=" + WEB1, true, null).status()).isEqualTo(403);
        assertThat(session.post("/sidekiq/busy/quiet", quietWeb1, false, null).status()).isEqualTo(403);
        assertThat(jedis.exists(WEB1 + "-signals")).as("no token, no signal").isFalse();
        Reply quiet = session.post("/sidekiq/busy/quiet", quietWeb1, true, null);
        assertThat(quiet.status()).isEqualTo(200);
        assertThat(quiet.body()).contains("Quiet was sent to 1 process(es)");
        assertThat(jedis.lrange(WEB1 + "-signals", 0, -1)).containsExactly("TSTP");
        assertThat(jedis.ttl(WEB1 + "-signals")).isBetween(1L, 60L);

        Reply confirm = session.get("/sidekiq/busy/stop?identity=" + WEB1);
        assertThat(confirm.body()).contains("Stop web-1:101").contains("action=\"/sidekiq/busy/stop\"")
                .contains("name=\"identity\" value=\"" + WEB1 + "\"");
        assertThat(jedis.lrange(WEB1 + "-signals", 0, -1)).as("the confirmation changes nothing").containsExactly("TSTP");
        assertThat(session.post("/sidekiq/busy/stop", "identity=" + WEB1 + "&csrf_token=" + session.token, true, null).status())
                .isEqualTo(200);
        assertThat(jedis.lrange(WEB1 + "-signals", 0, -1)).containsExactly("TERM", "TSTP");

        assertThat(session.get("/sidekiq/busy/stop-all").body()).contains("Stop all 2 processes").contains(WEB2);
        assertThat(jedis.exists(WEB2 + "-signals")).isFalse();
        assertThat(session.post("/sidekiq/busy/stop-all", "csrf_token=" + session.token, true, null).body())
                .contains("Stop was sent to 2 process(es)");
        assertThat(jedis.lrange(WEB2 + "-signals", 0, -1)).containsExactly("TERM");
        assertThat(session.get("/sidekiq/busy/quiet-all").body()).contains("Quiet all 2 processes");
        session.post("/sidekiq/busy/quiet-all", "csrf_token=" + session.token, true, null);
        assertThat(jedis.lrange(WEB2 + "-signals", 0, -1)).containsExactly("TSTP", "TERM");

        // Unknown processes: a clear 404, and nothing sent anywhere.
        assertThat(session.get("/sidekiq/busy/stop?identity=nope:1:x").status()).isEqualTo(404);
        Reply unknown = session.post("/sidekiq/busy/stop", "identity=nope:1:x&csrf_token=" + session.token, true, null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("no Sidekiq process with identity nope:1:x");
        assertThat(session.post("/sidekiq/busy/quiet", "csrf_token=" + session.token, true, null).status()).isEqualTo(400);
        assertThat(jedis.keys("*-signals")).containsExactlyInAnyOrder(WEB1 + "-signals", WEB2 + "-signals");

        JsonNode audit = server.get("/api/v1/audit?limit=10").json().get("entries");
        assertThat(audit).extracting(e -> e.get("action").asText() + " " + e.get("target").asText() + " " + e.get("actor").asText())
                .containsExactly("process.quiet " + WEB2 + " dashboard", "process.quiet " + WEB1 + " dashboard",
                        "process.stop " + WEB2 + " dashboard", "process.stop " + WEB1 + " dashboard",
                        "process.stop " + WEB1 + " dashboard", "process.quiet " + WEB1 + " dashboard");
    }

    @Test
    @RequiresService(Service.REDIS_SERVER)
    void read_only_shows_no_controls_and_refuses_every_action_with_403_changing_nothing() {
        start(8, HttpSettings.builder().readOnly(true).build());
        jedis.lpush("queue:default", SidekiqProcesses.job("q1", "default", "HardWorker", "[1]"));
        jedis.sadd("queues", "default");
        Reply busy = server.get("/sidekiq/busy");
        for (String page : List.of(busy.body(), server.get("/sidekiq/queues").body(), server.get("/sidekiq/queues/default").body())) {
            assertThat(page).contains("read-only").doesNotContain("<form").doesNotContain(">Quiet")
                    .doesNotContain(">Stop").doesNotContain(">Clear").doesNotContain(">Delete");
        }
        assertThat(busy.body()).contains("web-1:101").contains("jid1");
        String cookie = busy.header("Set-Cookie").substring(0, busy.header("Set-Cookie").indexOf(';'));
        String token = "csrf_token=" + cookie.substring(cookie.indexOf('=') + 1);
        for (String path : List.of("/sidekiq/busy/quiet", "/sidekiq/busy/stop", "/sidekiq/busy/quiet-all", "/sidekiq/busy/stop-all",
                "/sidekiq/queues/default/clear", "/sidekiq/queues/default/delete")) {
            Reply refused = TestServer.send(HttpRequest.newBuilder(server.uri(path)).header("Cookie", cookie)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(token + "&identity=" + WEB1 + "&jid=q1")).build());
            assertThat(refused.status()).as(path).isEqualTo(403);
            assertThat(refused.body()).contains("read-only").contains("Nothing was changed");
        }
        for (String path : List.of("/sidekiq/busy/stop?identity=" + WEB1, "/sidekiq/busy/stop-all", "/sidekiq/busy/quiet-all",
                "/sidekiq/queues/default/clear", "/sidekiq/queues/default/delete?jid=q1")) {
            assertThat(server.get(path).status()).as(path).isEqualTo(403);
        }
        assertThat(jedis.keys("*-signals")).isEmpty();
        assertThat(jedis.llen("queue:default")).isEqualTo(1);
        assertThat(server.get("/api/v1/audit").json().get("entries")).isEmpty();
    }

    @Test
    @RequiresService(Service.REDIS_SERVER)
    void with_redis_down_the_pages_are_503() {
        start(7, HttpSettings.DEFAULTS);
        redis.close();
        for (String path : List.of("/sidekiq/busy", "/sidekiq/queues", "/sidekiq/queues/default", "/sidekiq/busy/stop-all")) {
            Reply down = server.get(path);
            assertThat(down.status()).as(path).isEqualTo(503);
            assertThat(down.body()).contains("Sidekiq's Redis does not answer");
        }
    }

    @Test
    void without_redis_the_pages_are_409() {
        server = TestServer.start();
        for (String path : List.of("/sidekiq/busy", "/sidekiq/queues", "/sidekiq/queues/default", "/sidekiq/busy/stop-all")) {
            Reply none = server.get(path);
            assertThat(none.status()).as(path).isEqualTo(409);
            assertThat(none.body()).contains("Sidekiq's Redis is not configured");
        }
    }
}
