package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
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

/** The /sidekiq dashboard over HTTP: pages, escaping, CSRF, sign-in, headers, base path, actions. */
class DashboardIT {
    private static final String XSS = "[\"<script>alert(1)</script>\",\"<img src=x onerror=alert(2)>\",\"a&b\"]";
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

    private static String encoded(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private void job(String id, String jobClass, String queue, String args, JobStatus... statuses) {
        server.form("/api/v1/jobs", "job_id=" + id + "&job_class=" + jobClass + "&queue=" + queue + "&arguments=" + encoded(args));
        for (JobStatus status : statuses) {
            server.form("/api/v1/jobs/" + id + "/" + status.wireName(), "");
        }
    }

    @Test
    void pages_render_with_security_headers_and_arguments_stay_text() {
        server = TestServer.start();
        job("x1", "HardWorker", "default", XSS, JobStatus.STARTED, JobStatus.COMPLETE);
        for (String path : new String[] {"/sidekiq", "/sidekiq/jobs", "/sidekiq/jobs/x1", "/sidekiq/jobs?status=complete&filter=script"}) {
            Reply page = server.get(path);
            assertThat(page.status()).as(path).isEqualTo(200);
            assertThat(page.header("Content-Type")).startsWith("text/html");
            assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'").contains("frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline");
            assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(page.body()).doesNotContain("<script>alert").doesNotContain("<img src=x")
                    .doesNotContainPattern("<script>(?!</script>)").doesNotContain(" style=\"");
        }
        Reply list = server.get("/sidekiq/jobs");
        assertThat(list.body()).contains("&lt;script&gt;alert(1)&lt;/script&gt;").contains("&lt;img src=x onerror=alert(2)&gt;");
        Reply job = server.get("/sidekiq/jobs/x1");
        assertThat(job.body()).contains("id=\"timeline\"").contains("HardWorker").contains("a&amp;b");
        assertThat(server.get("/sidekiq/jobs/nope").status()).isEqualTo(404);
        Reply css = server.get("/sidekiq/assets/dashboard.css");
        assertThat(css.status()).isEqualTo(200);
        assertThat(css.header("Content-Type")).startsWith("text/css");
        assertThat(server.get("/sidekiq/assets/../../etc/passwd").status()).isEqualTo(404);
        assertThat(server.get("/sidekiq/assets/secret.properties").status()).isEqualTo(404);
    }

    @Test
    void an_empty_store_tells_a_new_user_how_to_add_the_middleware() {
        server = TestServer.start();
        Reply overview = server.get("/sidekiq");
        assertThat(overview.body()).contains("id=\"empty-state\"").contains("SidekiqSupervisor.install")
                .contains("SIDEKIQ_SUPERVISOR_HOST=" + server.base.toString().replaceAll("/$", ""));
        job("j1", "A", "default", "[1]");
        assertThat(server.get("/sidekiq").body()).doesNotContain("id=\"empty-state\"");
    }

    @Test
    void the_url_carries_the_filters_and_pages_on_with_a_cursor() {
        server = TestServer.start();
        for (int i = 0; i < 60; i++) {
            job("m" + i, i % 2 == 0 ? "Mailer" : "Billing", "default", "[\"user-" + i + "\"]");
        }
        Reply first = server.get("/sidekiq/jobs?job_class=Mailer");
        assertThat(count(first.body(), "<td class=\"jid\">")).isEqualTo(30);
        Reply filtered = server.get("/sidekiq/jobs?filter=user-1&job_class=Billing");
        // user-1, user-11, ..., user-19 that are Billing (odd): 1, 11, 13, 15, 17, 19
        assertThat(count(filtered.body(), "<td class=\"jid\">")).isEqualTo(6);
        assertThat(filtered.body()).contains("value=\"user-1\"");

        for (int i = 60; i < 120; i++) {
            job("m" + i, "Mailer", "default", "[" + i + "]");
        }
        Reply page1 = server.get("/sidekiq/jobs?job_class=Mailer");
        Matcher next = Pattern.compile("href=\"([^\"]*cursor=[^\"]*)\" id=\"next-page\"").matcher(page1.body());
        assertThat(next.find()).isTrue();
        String href = next.group(1).replace("&amp;", "&");
        assertThat(href).contains("job_class=Mailer");
        Reply page2 = server.get(href);
        assertThat(count(page2.body(), "<td class=\"jid\">")).isEqualTo(40);
        assertThat(page2.body()).doesNotContain("id=\"next-page\"").contains("« Newest");
    }

    @Test
    void bad_filters_get_a_clear_400_page() {
        server = TestServer.start();
        Reply range = server.get("/sidekiq/jobs?range=forever");
        assertThat(range.status()).isEqualTo(400);
        assertThat(range.header("Content-Type")).startsWith("text/html");
        assertThat(range.body()).contains("range must be one of");
        assertThat(server.get("/sidekiq/jobs?status=bogus").status()).isEqualTo(400);
        assertThat(server.get("/sidekiq/jobs?cursor=garbage").status()).isEqualTo(400);
        assertThat(server.get("/sidekiq/jobs?since=yesterday").body()).contains("since must be an ISO-8601");
        // Without Redis, lost jobs cannot be known: a clear 409 page, not a 5xx.
        Reply lost = server.get("/sidekiq/jobs?status=lost");
        assertThat(lost.status()).isEqualTo(409);
        assertThat(lost.body()).contains("--redis-url");
    }

    @Test
    void a_post_without_the_csrf_token_is_refused_and_changes_nothing() {
        server = TestServer.start();
        job("a1", "A", "default", "[1]", JobStatus.STARTED, JobStatus.COMPLETE);
        job("b1", "B", "default", "[2]", JobStatus.STARTED, JobStatus.COMPLETE);
        Session session = Session.open(server, "/sidekiq/delete?status=complete&job_class=A");
        assertThat(session.token).isNotEmpty();

        // No cookie, no token; a cookie with no token; a wrong token; the right token from another site.
        assertThat(session.post("/sidekiq/delete", "status=complete&job_class=A", false, null).status()).isEqualTo(403);
        assertThat(session.post("/sidekiq/delete", "status=complete&job_class=A", true, null).status()).isEqualTo(403);
        assertThat(session.post("/sidekiq/delete", "status=complete&job_class=A&csrf_token=" + "x".repeat(43), true, null).status())
                .isEqualTo(403);
        assertThat(session.post("/sidekiq/delete", "status=complete&job_class=A&csrf_token=" + session.token, true, "cross-site")
                .status()).isEqualTo(403);
        assertThat(server.supervisor.jobManager().queries().job("a1")).isPresent();

        Reply done = session.post("/sidekiq/delete", "status=complete&job_class=A&csrf_token=" + session.token, true, "same-origin");
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.body()).contains("<strong>1</strong> job(s) deleted");
        assertThat(server.supervisor.jobManager().queries().job("a1")).isEmpty();
        assertThat(server.supervisor.jobManager().queries().job("b1")).isPresent();
    }

    @Test
    void sign_in_protects_the_dashboard_and_an_api_token_alone_locks_it_too() {
        server = TestServer.start("/", TestServer.memory(), HttpSettings.builder().dashboardLogin("ops", "s3cret").build());
        assertThat(server.get("/sidekiq").status()).isEqualTo(401);
        assertThat(server.get("/sidekiq").header("WWW-Authenticate")).startsWith("Basic");
        assertThat(basic("/sidekiq", "ops", "wrong").status()).isEqualTo(401);
        assertThat(basic("/sidekiq", "root", "s3cret").status()).isEqualTo(401);
        assertThat(basic("/sidekiq", "ops", "s3cret").status()).isEqualTo(200);
        assertThat(basic("/sidekiq/assets/dashboard.css", "ops", "s3cret").status()).isEqualTo(200);
        assertThat(server.get("/health").status()).isEqualTo(200);
        server.close();

        server = TestServer.start("/", TestServer.memory(), HttpSettings.builder().apiToken("tok-123").build());
        assertThat(server.get("/sidekiq").status()).isEqualTo(401);
        assertThat(basic("/sidekiq", "anyone", "tok-123").status()).isEqualTo(200);
        assertThat(basic("/sidekiq", "anyone", "tok-12").body()).doesNotContain("tok-123");
    }

    @Test
    void the_dashboard_is_served_under_the_applications_base_path() {
        server = TestServer.start("/ops/supervisor/", TestServer.memory());
        job("p1", "A", "default", "[1]");
        Reply overview = server.get("/sidekiq");
        assertThat(overview.status()).isEqualTo(200);
        assertThat(overview.body()).contains("href=\"/ops/supervisor/sidekiq/assets/dashboard.css\"")
                .contains("href=\"/ops/supervisor/sidekiq/jobs\"");
        assertThat(overview.header("Set-Cookie")).contains("Path=/ops/supervisor/sidekiq").doesNotContainIgnoringCase("secure");
        Reply proxied = TestServer.send(HttpRequest.newBuilder(server.uri("/sidekiq")).header("X-Forwarded-Proto", "https").GET().build());
        assertThat(proxied.header("Set-Cookie")).containsIgnoringCase("secure");
        assertThat(server.get("/sidekiq/jobs/p1").body()).contains("/ops/supervisor/sidekiq/jobs?job_class=A");
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

        Reply overview = server.get("/sidekiq");
        assertThat(overview.body()).contains("id=\"sidekiq\"").contains("<td>h:1").contains("status-lost");
        assertThat(overview.body()).containsPattern("<span class=\"count\">3</span><span class=\"label\">lost</span>");
        Reply lostTab = server.get("/sidekiq/jobs?status=lost");
        assertThat(count(lostTab.body(), "<td class=\"jid\">")).isEqualTo(3);
        assertThat(lostTab.body()).contains("id=\"restart-all\"");

        // One job, from its page.
        Session session = Session.open(server, "/sidekiq/jobs/lost1");
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
        Session session = Session.open(server, "/sidekiq/delete?status=lost");
        assertThat(session.page).contains("lost1").doesNotContain(">busy1<");
        Reply done = session.post("/sidekiq/delete", "status=lost&csrf_token=" + session.token, true, null);
        assertThat(done.body()).contains("<strong>1</strong> job(s) deleted");
        assertThat(server.supervisor.jobManager().queries().job("lost1")).isEmpty();
        assertThat(server.supervisor.jobManager().queries().job("busy1")).isPresent();
    }

    @Test
    @RequiresService(Service.REDIS_SERVER)
    void with_redis_down_the_pages_say_so_and_a_restart_changes_nothing() {
        redis = RedisServer.start();
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url()).sidekiqVersion(SidekiqVersion.V7));
        long longAgo = Instant.now().minusSeconds(600).getEpochSecond();
        server.form("/api/v1/jobs", "job_id=lost1&job_class=HardWorker&queue=default&arguments=%5B1%5D&at=" + longAgo);
        server.form("/api/v1/jobs/lost1/started", "at=" + (longAgo + 1));
        Session session = Session.open(server, "/sidekiq/jobs/lost1");
        redis.close();
        Reply overview = server.get("/sidekiq");
        assertThat(overview.status()).isEqualTo(200);
        assertThat(overview.body()).contains("lost: Redis does not answer").contains("class=\"error\"");
        assertThat(server.get("/sidekiq/jobs").status()).isEqualTo(200);
        Reply lost = server.get("/sidekiq/jobs?status=lost");
        assertThat(lost.status()).isEqualTo(503);
        assertThat(lost.body()).contains("Sidekiq's Redis does not answer").contains("Nothing was changed");
        Reply restart = session.post("/sidekiq/jobs/lost1/restart", "csrf_token=" + session.token, true, null);
        assertThat(restart.status()).isEqualTo(503);
        assertThat(server.supervisor.jobManager().queries().job("lost1").orElseThrow().job().status()).isEqualTo(JobStatus.STARTED);
        assertThat(server.supervisor.jobManager().queries().job("lost1").orElseThrow().job().restartingTo()).isNull();
    }

    private Reply basic(String path, String user, String password) {
        String credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return TestServer.send(HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Basic " + credentials).GET().build());
    }

    private static int count(String text, String needle) {
        return text.split(Pattern.quote(needle), -1).length - 1;
    }

    /** A browser's view: the CSRF cookie the dashboard set, and the token its forms carry. */
    private static final class Session {
        final TestServer server;
        final String cookie;
        final String token;
        final String page;

        private Session(TestServer server, String cookie, String token, String page) {
            this.server = server;
            this.cookie = cookie;
            this.token = token;
            this.page = page;
        }

        static Session open(TestServer server, String path) {
            Reply page = server.get(path);
            String setCookie = page.header("Set-Cookie");
            assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict");
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            Matcher token = Pattern.compile("name=\"csrf_token\" value=\"([^\"]+)\"").matcher(page.body());
            assertThat(token.find()).as("a form with a CSRF token on " + path).isTrue();
            assertThat(cookie).isEqualTo("supervisor_csrf=" + token.group(1));
            return new Session(server, cookie, token.group(1), page.body());
        }

        Reply get(String path) {
            return TestServer.send(HttpRequest.newBuilder(server.uri(path)).header("Cookie", cookie).GET().build());
        }

        Reply post(String path, String form, boolean withCookie, String fetchSite) {
            HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
            if (withCookie) {
                request.header("Cookie", cookie);
            }
            if (fetchSite != null) {
                request.header("Sec-Fetch-Site", fetchSite);
            }
            return TestServer.send(request.build());
        }
    }
}
