package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;
import org.sidekiqsupervisor.model.JobStatus;

/**
 * The /sidekiq dashboard over HTTP without Redis: pages, escaping, CSRF, sign-in, headers, base path, deleting;
 * {@link DashboardIT} has the lost-job pages and actions, which need Sidekiq's Redis.
 */
class DashboardTest {
    private static final String XSS = "[\"<script>alert(1)</script>\",\"<img src=x onerror=alert(2)>\",\"a&b\"]";
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
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
        DashboardSession session = DashboardSession.open(server, "/sidekiq/delete?status=complete&job_class=A");
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
    void a_delete_is_in_the_audit_log_page_with_who_did_it_and_how_many() {
        server = TestServer.start();
        job("a1", "A", "default", "[1]", JobStatus.STARTED, JobStatus.COMPLETE);
        job("a2", "A", "default", "[2]", JobStatus.STARTED, JobStatus.COMPLETE);
        assertThat(server.get("/sidekiq/audit").body()).contains("id=\"audit-empty\"");
        DashboardSession session = DashboardSession.open(server, "/sidekiq/delete?status=complete&job_class=A");
        Reply done = session.post("/sidekiq/delete", "status=complete&job_class=A&csrf_token=" + session.token, true, "same-origin");
        assertThat(done.body()).contains("<strong>2</strong> job(s) deleted");

        String audit = session.get("/sidekiq/audit").body();
        assertThat(audit).contains("<code>jobs.delete</code>").contains("<td>dashboard</td>").contains("<td class=\"num\">2</td>");
        com.fasterxml.jackson.databind.JsonNode entry = server.get("/api/v1/audit").json().get("entries").get(0);
        assertThat(entry.get("action").asText()).isEqualTo("jobs.delete");
        assertThat(entry.get("count").asLong()).isEqualTo(2);
        assertThat(server.get("/sidekiq/audit?cursor=abc").status()).isEqualTo(400);
    }

    @Test
    void read_only_shows_no_controls_refuses_every_action_and_still_ingests() {
        server = TestServer.start("/", TestServer.memory(), HttpSettings.builder().readOnly(true).build());
        job("a1", "A", "default", "[1]", JobStatus.STARTED, JobStatus.COMPLETE);
        assertThat(server.supervisor.jobManager().queries().job("a1")).as("ingest goes on").isPresent();

        Reply jobs = server.get("/sidekiq/jobs");
        assertThat(jobs.body()).contains("read-only").doesNotContain("id=\"delete-all\"").doesNotContain("method=\"post\"");
        Reply confirm = server.get("/sidekiq/delete?status=complete");
        assertThat(confirm.status()).as("nothing to confirm").isEqualTo(403);
        assertThat(confirm.body()).contains("read-only").doesNotContain("id=\"confirm-delete\"");
        assertThat(server.get("/sidekiq/restart").status()).isEqualTo(403);
        // A browser with a valid CSRF cookie and token is refused all the same, and nothing is deleted.
        String cookie = confirm.header("Set-Cookie");
        String token = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
        Reply refused = TestServer.send(HttpRequest.newBuilder(server.uri("/sidekiq/delete"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "supervisor_csrf=" + token)
                .POST(HttpRequest.BodyPublishers.ofString("status=complete&csrf_token=" + token)).build());
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).contains("read-only");
        assertThat(server.supervisor.jobManager().queries().job("a1")).isPresent();

        Reply restart = server.form("/api/v1/jobs/restart", "scope=lost");
        BadInputTest.assertError(restart, 403, null);
        assertThat(restart.json().get("error").asText()).contains("read-only");
        assertThat(server.get("/api/v1/audit").json().get("entries")).as("nothing done, nothing recorded").isEmpty();
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

    private Reply basic(String path, String user, String password) {
        String credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return TestServer.send(HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Basic " + credentials).GET().build());
    }

    private static int count(String text, String needle) {
        return text.split(Pattern.quote(needle), -1).length - 1;
    }
}
