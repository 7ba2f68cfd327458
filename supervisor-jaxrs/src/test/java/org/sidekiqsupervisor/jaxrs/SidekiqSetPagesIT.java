package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;
import org.sidekiqsupervisor.model.AuditEntry;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/**
 * Sidekiq's retry, schedule and dead sets as the dashboard's pages at Sidekiq Web's paths, in each version's format,
 * and their actions (confirmed, CSRF-guarded, audited), against a real redis-server.
 */
@RequiresService(Service.REDIS_SERVER)
class SidekiqSetPagesIT {
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
    void pages_show_each_versions_entries_filter_in_the_url_and_page_on_with_a_cursor(int version) {
        start(version, HttpSettings.DEFAULTS);
        for (int i = 0; i < 30; i++) {
            sidekiq.inSet("retry", 1795887460.0 + i, sidekiq.failedJob(String.format("r%02d", i), "critical", i % 3));
        }
        sidekiq.inSet("schedule", 1795890000.0, FakeSidekiq.job("s1", "low"));
        sidekiq.inSet("dead", 1795887462.5, sidekiq.failedJob("d1", "default", 3));

        Reply first = server.get("/sidekiq/retries");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("Content-Type")).startsWith("text/html");
        assertThat(count(first.body(), "name=\"key\" value=")).as("25 a page, as Sidekiq").isEqualTo(25);
        assertThat(first.body()).contains("id=\"set-size\" title=\"entries in the set now\">30<")
                .contains("<th>Next Retry</th>").contains("Retry Count").contains("RuntimeError: boom")
                .contains("href=\"/sidekiq/jobs/r00\"").contains("href=\"/sidekiq/retries/1795887460.0-r00\"")
                .contains("href=\"/sidekiq/queues/critical\"").contains("datetime=\"2026-11-28T17:37:40Z\"")
                .contains("id=\"next-page\"").doesNotContain("id=\"first-page\"").doesNotContain(">r25<")
                .contains("class=\"select-all\"").contains("data-live=\"5\"");
        assertThat(first.body().indexOf(">r00<")).as("soonest retry first").isLessThan(first.body().indexOf(">r24<"));
        Reply second = server.get(href(first.body(), "next-page"));
        assertThat(count(second.body(), "name=\"key\" value=")).isEqualTo(5);
        assertThat(second.body()).contains(">r29<").contains("id=\"first-page\"").doesNotContain("id=\"next-page\"")
                .doesNotContain(">r24<");

        Reply filtered = server.get("/sidekiq/retries?filter=r07");
        assertThat(count(filtered.body(), "name=\"key\" value=")).isEqualTo(1);
        assertThat(filtered.body()).contains(">r07<").contains("value=\"r07\"").contains("id=\"filter-note\"")
                .contains("href=\"/sidekiq/retries/all?action=delete&amp;filter=r07\"").contains("Delete All matching");

        Reply entry = server.get("/sidekiq/retries/1795887463.0-r03");
        assertThat(entry.status()).isEqualTo(200);
        assertThat(entry.body()).contains("id=\"entry-backtrace\"").contains("app.rb:1:in `perform").contains("lib.rb:2")
                .contains("id=\"entry-error-class\">RuntimeError<").contains("datetime=\"2026-11-28T17:37:30.100Z\"")
                .contains("href=\"/sidekiq/jobs/r03\"").contains("Originally Failed").contains("id=\"entry-retry-count\">0<")
                .contains("datetime=\"2026-11-28T17:37:43Z\"").contains("value=\"kill\"");

        Reply scheduled = server.get("/sidekiq/scheduled");
        assertThat(scheduled.body()).contains(">s1<").contains("<th>When</th>").doesNotContain("<th>Error</th>")
                .doesNotContain("Retry Count").contains("value=\"enqueue\"").doesNotContain("value=\"kill\"");
        Reply dead = server.get("/sidekiq/morgue");
        assertThat(dead.body()).contains(">d1<").contains("<th>Last Retry</th>").contains("<th>Error</th>")
                .doesNotContain("Retry Count").doesNotContain("value=\"kill\"");

        // The JSON API takes the same key, found the same bounded way, and still takes a bare jid.
        assertThat(server.get("/api/v1/sidekiq/retries/1795887463.0-r03").json().get("jid").asText()).isEqualTo("r03");
        BadInputTest.assertError(server.get("/api/v1/sidekiq/retries/1795887464.0-r03"), 404, "jid");
        assertThat(server.get("/api/v1/sidekiq/retries/r03").json().get("retry_count").asInt()).isZero();
    }

    @Test
    void retry_and_kill_selected_entries_with_csrf_confirmation_and_audit_and_a_moved_entry_is_gone() {
        start(7, HttpSettings.DEFAULTS);
        sidekiq.inSet("retry", 1795887460.5, sidekiq.failedJob("r1", "critical", 2));
        sidekiq.inSet("retry", 1795887461.5, sidekiq.failedJob("r2", "critical", 0));
        String r3 = sidekiq.failedJob("r3", "critical", 0);
        sidekiq.inSet("retry", 1795887462.5, r3);
        DashboardSession session = DashboardSession.open(server, "/sidekiq/retries");

        Reply forged = session.post("/sidekiq/retries/actions", "action=retry&key=1795887460.5-r1", true, null);
        assertThat(forged.status()).as("no CSRF token").isEqualTo(403);
        assertThat(sidekiq.redis().zcard("retry")).isEqualTo(3);
        assertThat(sidekiq.redis().exists("queue:critical")).isFalse();

        Reply retried = session.post("/sidekiq/retries/actions", form(session, "action=retry&key=1795887460.5-r1"), true, null);
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.body()).contains("id=\"done-count\">1<").contains("id=\"skipped-count\">0<");
        assertThat(sidekiq.redis().zrangeByScore("retry", "1795887460.5", "1795887460.5")).isEmpty();
        assertThat(sidekiq.redis().lindex("queue:critical", 0)).contains("\"jid\":\"r1\"").contains("\"retry_count\":1");
        // No Ruby client pushed it, so no middleware will say it was queued: the supervisor records that itself.
        org.sidekiqsupervisor.model.Job r1 = server.supervisor.jobManager().queries().job("r1").orElseThrow().job();
        assertThat(r1.queue()).isEqualTo("critical");
        assertThat(r1.jobClass()).isEqualTo("FlakyJob");
        assertThat(r1.queuedAt()).isNotNull();

        Reply plan = session.post("/sidekiq/retries/actions", form(session, "action=kill&key=1795887461.5-r2"), true, null);
        assertThat(plan.body()).contains("id=\"confirm-count\">1<").contains("name=\"confirmed\" value=\"yes\"")
                .contains("name=\"key\" value=\"1795887461.5-r2\"");
        assertThat(sidekiq.redis().zcard("dead")).as("the confirmation changes nothing").isZero();
        Reply killed = session.post("/sidekiq/retries/actions",
                form(session, "action=kill&key=1795887461.5-r2&confirmed=yes"), true, null);
        assertThat(killed.body()).contains("id=\"done-count\">1<").contains("killed (moved to Dead)");
        assertThat(sidekiq.redis().zcard("dead")).isEqualTo(1);
        assertThat(sidekiq.redis().zrange("dead", 0, -1).get(0)).contains("\"jid\":\"r2\"");
        assertThat(sidekiq.redis().zcard("retry")).isEqualTo(1);

        // Sidekiq retries r3 and it fails again: a new entry at a new score. The one the user saw is gone.
        sidekiq.redis().zrem("retry", r3);
        sidekiq.inSet("retry", 1795887999.5, sidekiq.failedJob("r3", "critical", 1));
        Reply gone = session.post("/sidekiq/retries/actions", form(session, "action=retry&key=1795887462.5-r3"), true, null);
        assertThat(gone.body()).contains("id=\"done-count\">0<").contains("id=\"skipped-count\">1<").contains("class=\"reason-gone\"");
        assertThat(sidekiq.redis().zcard("retry")).as("the new entry is not acted on").isEqualTo(1);
        assertThat(sidekiq.redis().llen("queue:critical")).isEqualTo(1);
        assertThat(server.get("/sidekiq/retries/1795887462.5-r3").status()).isEqualTo(404);

        List<AuditEntry> audit = server.supervisor.jobManager().auditLog(10, null);
        assertThat(audit).extracting(AuditEntry::action).as("newest first; confirmations are not recorded")
                .containsExactly("retries.retry", "retries.kill", "retries.retry");
        assertThat(audit).extracting(AuditEntry::actor).containsOnly("dashboard");
        assertThat(audit).extracting(AuditEntry::dryRun).containsOnly(false);
        assertThat(audit.get(1).jids()).containsExactly("r2");
        assertThat(audit.get(0).count()).isZero();
    }

    @Test
    void delete_all_with_a_filter_confirms_the_count_and_deletes_exactly_those() {
        start(8, HttpSettings.DEFAULTS);
        for (int i = 0; i < 6; i++) {
            sidekiq.inSet("dead", 1795887460.5 + i, sidekiq.failedJob("d" + i, "default", 3)
                    .replace("\"bob\"", i % 2 == 0 ? "\"needle\"" : "\"hay\""));
        }
        DashboardSession session = DashboardSession.open(server, "/sidekiq/morgue");
        Reply plan = session.get("/sidekiq/morgue/all?action=delete&filter=needle");
        assertThat(plan.status()).isEqualTo(200);
        assertThat(plan.body()).contains("id=\"confirm-count\">3<").contains("name=\"scope\" value=\"all\"")
                .contains("name=\"filter\" value=\"needle\"");
        Reply unconfirmed = session.post("/sidekiq/morgue/actions", form(session, "action=delete&scope=all&filter=needle"), true, null);
        assertThat(unconfirmed.body()).as("an action on all is confirmed first").contains("id=\"confirm-count\">3<");
        assertThat(sidekiq.redis().zcard("dead")).isEqualTo(6);

        Reply done = session.post("/sidekiq/morgue/actions",
                form(session, "action=delete&scope=all&filter=needle&confirmed=yes"), true, null);
        assertThat(done.body()).contains("id=\"done-count\">3<").contains("href=\"/sidekiq/morgue?filter=needle\"");
        assertThat(sidekiq.redis().zrange("dead", 0, -1)).hasSize(3).allSatisfy(entry -> assertThat(entry).contains("\"hay\""));
        assertThat(session.get("/sidekiq/morgue/all?action=retry").body()).contains("id=\"confirm-count\">3<");
        List<AuditEntry> audit = server.supervisor.jobManager().auditLog(10, null);
        assertThat(audit).singleElement().satisfies(entry -> {
            assertThat(entry.action()).isEqualTo("dead.delete");
            assertThat(entry.target()).isEqualTo("dead");
            assertThat(entry.actor()).isEqualTo("dashboard");
            assertThat(entry.count()).isEqualTo(3);
            assertThat(entry.jids()).containsExactly("d4", "d2", "d0");
        });
    }

    @Test
    void read_only_shows_no_controls_and_refuses_actions_with_403() {
        start(7, HttpSettings.builder().readOnly(true).build());
        sidekiq.inSet("retry", 1795887460.5, sidekiq.failedJob("r1", "critical", 2));
        for (String path : List.of("/sidekiq/retries", "/sidekiq/retries/1795887460.5-r1")) {
            Reply page = server.get(path);
            assertThat(page.status()).as(path).isEqualTo(200);
            assertThat(page.body()).as(path).contains(">r1<").doesNotContain("method=\"post\"").doesNotContain("type=\"checkbox\"")
                    .doesNotContain("name=\"action\"").doesNotContain("csrf_token").doesNotContain("/all?action=");
        }
        Reply confirm = server.get("/sidekiq/retries/all?action=delete");
        assertThat(confirm.status()).isEqualTo(403);
        assertThat(confirm.body()).contains("id=\"problem\"").contains("--read-only");
        Reply post = server.form("/sidekiq/retries/actions", "action=delete&key=1795887460.5-r1&confirmed=yes");
        assertThat(post.status()).isEqualTo(403);
        assertThat(sidekiq.redis().zcard("retry")).isEqualTo(1);
        assertThat(server.supervisor.jobManager().auditLog(10, null)).isEmpty();
    }

    @Test
    void bad_input_gives_a_clear_page_changes_nothing_and_arguments_stay_text() {
        start(7, HttpSettings.DEFAULTS);
        sidekiq.inSet("retry", 1795887460.5, sidekiq.failedJob("r1", "critical", 2)
                .replace("[1,\"bob\"]", "[\"<script>alert(1)</script>\"]").replace("\"boom\"", "\"<img src=x onerror=alert(2)>\""));
        for (String path : List.of("/sidekiq/retries", "/sidekiq/retries/1795887460.5-r1")) {
            assertThat(server.get(path).body()).as(path).doesNotContain("<script>alert").doesNotContain("<img src=x")
                    .contains("&lt;script&gt;alert(1)&lt;/script&gt;").contains("&lt;img src=x onerror=alert(2)&gt;");
        }
        assertProblem(server.get("/sidekiq/retries?cursor=xyz"), 400, "cursor");
        assertProblem(server.get("/sidekiq/nope"), 404, "/sidekiq/morgue");
        assertProblem(server.get("/sidekiq/nope/1795887460.5-r1"), 404, "/sidekiq/morgue");
        assertProblem(server.get("/sidekiq/retries/garbage"), 400, "&lt;score&gt;-&lt;jid&gt;");
        assertProblem(server.get("/sidekiq/retries/1795887460.5-nobody"), 404, "no longer in Retries");
        assertProblem(server.get("/sidekiq/retries/all?action=explode"), 400, "action");
        assertProblem(server.get("/sidekiq/scheduled/all?action=kill"), 400, "does not apply");
        DashboardSession session = DashboardSession.open(server, "/sidekiq/retries");
        String key = "key=1795887460.5-r1";
        assertProblem(session.post("/sidekiq/retries/actions", form(session, "action=explode&" + key), true, null), 400, "action");
        assertProblem(session.post("/sidekiq/retries/actions", form(session, "action=enqueue&" + key), true, null), 400, "does not apply");
        assertProblem(session.post("/sidekiq/morgue/actions", form(session, "action=kill&" + key + "&confirmed=yes"), true, null), 400,
                "does not apply");
        assertProblem(session.post("/sidekiq/retries/actions", form(session, "action=retry"), true, null), 400, "No entry was selected");
        assertProblem(session.post("/sidekiq/retries/actions", form(session, "action=retry&key=1-bad%20jid"), true, null), 400, "&lt;score&gt;-&lt;jid&gt;");
        assertProblem(session.post("/sidekiq/retries/actions", form(session, "action=retry&jid=bad%20jid"), true, null), 400, "jid");
        assertProblem(session.post("/sidekiq/nope/actions", form(session, "action=delete&confirmed=yes&" + key), true, null), 404, "morgue");
        BadInputTest.assertError(server.get("/api/v1/sidekiq/retries/1795887460.5-bad%20jid"), 400, "key");
        assertThat(sidekiq.redis().zcard("retry")).isEqualTo(1);
        assertThat(sidekiq.redis().exists("queue:critical")).isFalse();
        assertThat(server.supervisor.jobManager().auditLog(10, null)).isEmpty();
        // Posting jids, as the API does, works too.
        Reply byJid = session.post("/sidekiq/retries/actions", form(session, "action=retry&jid=r1&jid=nobody"), true, null);
        assertThat(byJid.body()).contains("id=\"done-count\">1<").contains("class=\"reason-not_found\"");
    }

    @Test
    void without_redis_409_and_with_redis_down_503() {
        try (TestServer noRedis = TestServer.start()) {
            assertProblem(noRedis.get("/sidekiq/retries"), 409, "not configured");
            assertProblem(noRedis.get("/sidekiq/morgue/1795887460.5-r1"), 409, "not configured");
        }
        start(7, HttpSettings.DEFAULTS);
        sidekiq.inSet("retry", 1795887460.5, sidekiq.failedJob("r1", "critical", 2));
        DashboardSession session = DashboardSession.open(server, "/sidekiq/retries");
        redis.close();
        assertProblem(server.get("/sidekiq/scheduled"), 503, "does not answer");
        assertProblem(session.post("/sidekiq/retries/actions", form(session, "action=retry&key=1795887460.5-r1"), true, null), 503,
                "Nothing was changed");
    }

    private static void assertProblem(Reply reply, int status, String text) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.header("Content-Type")).startsWith("text/html");
        assertThat(reply.body()).contains("id=\"problem\"").contains(text);
    }

    private static String form(DashboardSession session, String fields) {
        return "csrf_token=" + session.token + "&" + fields;
    }

    private static String href(String html, String id) {
        Matcher link = Pattern.compile("href=\"([^\"]+)\" id=\"" + id + "\"").matcher(html);
        assertThat(link.find()).as("a link " + id).isTrue();
        return link.group(1).replace("&amp;", "&");
    }

    private static int count(String text, String needle) {
        return text.split(Pattern.quote(needle), -1).length - 1;
    }
}
