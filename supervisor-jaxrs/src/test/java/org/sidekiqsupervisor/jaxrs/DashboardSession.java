package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.sidekiqsupervisor.jaxrs.TestServer.Reply;

/**
 * A browser's view of the /sidekiq dashboard: the CSRF cookie the dashboard set, and the token its forms carry.
 * Shared by {@link DashboardTest} and {@link DashboardIT}, which post the dashboard's forms as a browser would.
 */
final class DashboardSession {
    final TestServer server;
    final String cookie;
    final String token;
    final String page;

    private DashboardSession(TestServer server, String cookie, String token, String page) {
        this.server = server;
        this.cookie = cookie;
        this.token = token;
        this.page = page;
    }

    /** Opens {@code path}, which must show a form, and keeps the CSRF cookie it set and the token the form carries. */
    static DashboardSession open(TestServer server, String path) {
        Reply page = server.get(path);
        String setCookie = page.header("Set-Cookie");
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        Matcher token = Pattern.compile("name=\"csrf_token\" value=\"([^\"]+)\"").matcher(page.body());
        assertThat(token.find()).as("a form with a CSRF token on " + path).isTrue();
        assertThat(cookie).isEqualTo("supervisor_csrf=" + token.group(1));
        return new DashboardSession(server, cookie, token.group(1), page.body());
    }

    /** A GET with the session's cookie. */
    Reply get(String path) {
        return TestServer.send(HttpRequest.newBuilder(server.uri(path)).header("Cookie", cookie).GET().build());
    }

    /**
     * Posts {@code form}, with the session's cookie or without it, and with {@code Sec-Fetch-Site} set to
     * {@code fetchSite} unless that is null.
     */
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
