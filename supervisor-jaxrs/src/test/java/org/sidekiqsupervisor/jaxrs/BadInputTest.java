package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;

/**
 * Every bad-input row of the contract: the right status, a JSON error naming the field, and nothing
 * stored.
 */
class BadInputTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("/", TestServer.memory(), HttpSettings.builder().maxBodyBytes(4096).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void nothingWasStored() {
        assertThat(server.get("/api/v1/jobs?status=all").json().get("jobs")).isEmpty();
    }

    static Stream<Arguments> badForms() {
        return Stream.of(
                Arguments.of("missing job_id", "/api/v1/jobs", "job_class=A", 400, "job_id"),
                Arguments.of("empty job_id", "/api/v1/jobs", "job_id=&job_class=A", 400, "job_id"),
                Arguments.of("job_id with a slash", "/api/v1/jobs", "job_id=a%2Fb", 400, "job_id"),
                Arguments.of("job_id with a space", "/api/v1/jobs", "job_id=a+b", 400, "job_id"),
                Arguments.of("job_id of 65 characters", "/api/v1/jobs", "job_id=" + "a".repeat(65), 400, "job_id"),
                Arguments.of("job_id with a dot in the path", "/api/v1/jobs/a.b/started", "", 400, "job_id"),
                Arguments.of("job_id of 65 characters in the path", "/api/v1/jobs/" + "a".repeat(65) + "/complete", "", 400, "job_id"),
                Arguments.of("arguments not JSON", "/api/v1/jobs", "job_id=j&arguments=%5B1%2C", 400, "arguments"),
                Arguments.of("arguments with trailing garbage", "/api/v1/jobs/j/started", "arguments=%5B1%5Dx", 400, "arguments"),
                Arguments.of("arguments nested too deep", "/api/v1/jobs/j/started",
                        "arguments=" + "%5B".repeat(501) + "%5D".repeat(501), 400, "arguments"),
                Arguments.of("job_class over 255", "/api/v1/jobs", "job_id=j&job_class=" + "C".repeat(256), 400, "job_class"),
                Arguments.of("queue over 255", "/api/v1/jobs/j/started", "queue=" + "q".repeat(256), 400, "queue"),
                Arguments.of("error_class over 255", "/api/v1/jobs/j/failed", "error_class=" + "E".repeat(256), 400, "error_class"),
                Arguments.of("at that is not a time", "/api/v1/jobs/j/started", "at=yesterday", 400, "at"),
                Arguments.of("at in milliseconds", "/api/v1/jobs/j/started", "at=1795887450217", 400, "at"),
                Arguments.of("payload not a JSON object", "/api/v1/jobs/j/started", "payload=%5B1%5D", 400, "payload"),
                Arguments.of("payload not JSON", "/api/v1/jobs/j/started", "payload=%7B%22a%22%3A", 400, "payload"),
                Arguments.of("invalid UTF-8", "/api/v1/jobs", "job_id=j&job_class=%C3%28", 400, null),
                Arguments.of("a broken percent escape", "/api/v1/jobs", "job_id=j&job_class=%G1", 400, null),
                Arguments.of("a percent escape cut short", "/api/v1/jobs", "job_id=j&job_class=%C", 400, null),
                Arguments.of("a body over the limit", "/api/v1/jobs", "job_id=j&arguments=" + "1".repeat(5000), 413, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badForms")
    void a_bad_form_is_refused_with_a_json_error_naming_the_field(String what, String path, String body, int status, String field) {
        Reply reply = server.form(path, body);
        assertError(reply, status, field);
    }

    static Stream<Arguments> badJson() {
        return Stream.of(
                Arguments.of("not JSON", "{\"job_id\":", 400, null),
                Arguments.of("an empty body", "", 400, null),
                Arguments.of("job_class that is a number", "{\"job_id\":\"j\",\"job_class\":5}", 400, "job_class"),
                Arguments.of("job_id that is an object", "{\"job_id\":{\"a\":1}}", 400, "job_id"),
                Arguments.of("arguments as text that is not JSON", "{\"job_id\":\"j\",\"arguments\":\"[1,\"}", 400, "arguments"),
                Arguments.of("at that is a boolean", "{\"job_id\":\"j\",\"at\":true}", 400, "at"),
                Arguments.of("payload that is an array", "{\"job_id\":\"j\",\"payload\":[1]}", 400, "payload"),
                Arguments.of("payload as text that is not an object", "{\"job_id\":\"j\",\"payload\":\"1\"}", 400, "payload"),
                Arguments.of("a body nested too deep", "{\"job_id\":\"j\",\"arguments\":" + "[".repeat(600) + "]".repeat(600) + "}", 400, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJson")
    void a_bad_json_body_is_refused_with_a_json_error(String what, String body, int status, String field) {
        assertError(server.post("/api/v1/jobs", "application/json", body), status, field);
    }

    @Test
    void unsupported_content_types_and_charsets_get_415() {
        assertError(server.post("/api/v1/jobs", "text/plain", "job_id=j"), 415, null);
        assertError(server.post("/api/v1/jobs", "application/x-www-form-urlencoded; charset=ISO-8859-1", "job_id=j"), 415, null);
        assertError(server.post("/api/v1/jobs", "application/json; charset=utf-16", "{\"job_id\":\"j\"}"), 415, null);
        assertError(server.post("/api/v1/jobs", "multipart/form-data; boundary=x", "--x--"), 415, null);
        assertError(server.post("/api/v1/jobs", "not a type", "job_id=j"), 415, null);
        assertError(server.post("/api/v1/jobs", null, "job_id=j".getBytes(StandardCharsets.UTF_8), null), 415, null);
    }

    @Test
    void a_queued_post_with_no_body_lacks_the_job_id() {
        assertError(server.post("/api/v1/jobs", null, new byte[0], null), 400, "job_id");
    }

    @Test
    void a_batch_with_no_body_and_no_content_type_is_a_400_not_a_crash() {
        // Found by HostileInputProperties: this was a 500 (NullPointerException).
        assertError(server.post("/api/v1/events", null, new byte[0], null), 400, null);
    }

    @Test
    void a_chunked_body_over_the_limit_gets_413_without_being_read_whole() {
        HttpRequest request = HttpRequest.newBuilder(server.uri("/api/v1/jobs")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                // A stream publisher has no known length: the client sends it chunked.
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(
                        ("job_id=j&arguments=" + "1".repeat(100_000)).getBytes(StandardCharsets.UTF_8))))
                .build();
        assertError(TestServer.send(request), 413, null);
    }

    @Test
    void bad_query_parameters_get_400_naming_the_parameter() {
        assertError(server.get("/api/v1/jobs?status=bogus"), 400, "status");
        assertError(server.get("/api/v1/jobs?limit=0"), 400, "limit");
        assertError(server.get("/api/v1/jobs?limit=1001"), 400, "limit");
        assertError(server.get("/api/v1/jobs?limit=ten"), 400, "limit");
        assertError(server.get("/api/v1/jobs?cursor=garbage"), 400, "cursor");
        assertError(server.get("/api/v1/jobs?since=soon"), 400, "since");
        assertError(server.get("/api/v1/jobs?since=1795887450&until=1795887450"), 400, "since");
        assertError(server.get("/api/v1/durations?from=nowhere"), 400, "from");
        assertError(server.get("/api/v1/jobs/bad.id"), 400, "job_id");
        assertError(server.get("/api/v1/jobs/unknown"), 404, "job_id");
    }

    @Test
    void what_needs_redis_answers_409_while_none_is_configured() {
        assertThat(server.get("/api/v1/jobs?status=lost").json().get("error").asText()).contains("no Redis is configured");
        assertError(server.get("/api/v1/jobs?status=lost"), 409, null);
        assertError(server.post("/api/v1/jobs/restart", null, new byte[0], null), 409, null);
        assertError(server.form("/api/v1/jobs/restart", "dry_run=true&scope=uncompleted&older_than=60"), 409, null);
        assertError(server.form("/api/v1/jobs/restart", "scope=everything"), 400, "scope");
        assertError(server.form("/api/v1/jobs/restart", "older_than=-5"), 400, "older_than");
        assertError(server.form("/api/v1/jobs/restart", "force=maybe"), 400, "force");
    }

    @Test
    void unknown_endpoints_and_methods_answer_in_json() {
        assertError(server.get("/api/v1/nothing"), 404, null);
        assertError(server.form("/api/v1/jobs/j/exploded", ""), 404, null);
        Reply notAllowed = TestServer.send(HttpRequest.newBuilder(server.uri("/api/v1/events")).GET().build());
        assertError(notAllowed, 405, null);
        assertThat(notAllowed.header("Allow")).contains("POST");
    }

    static void assertError(Reply reply, int status, String field) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        JsonNode body = reply.json();
        assertThat(body.get("error").asText()).isNotBlank();
        assertThat(body.has("field")).isTrue();
        if (field == null) {
            assertThat(body.get("field").isNull()).as(reply.body()).isTrue();
        } else {
            assertThat(body.get("field").asText()).isEqualTo(field);
            assertThat(body.get("error").asText()).contains(field);
        }
    }
}
