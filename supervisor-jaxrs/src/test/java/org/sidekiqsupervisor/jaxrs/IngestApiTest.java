package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.internal.Json;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;

/** The ingest endpoints, driven as the Ruby middlewares drive them. */
class IngestApiTest {
    private static final String JID = "0123456789abcdef01234567";
    /** The form body Faraday 1.1 sends for the queued POST (../shared/sidekiq/faraday-requests.txt). */
    private static final String QUEUED_BODY = "arguments=%5B7%2C%22raw+%C3%BCn%C3%AF+%E2%9C%93+a%26b%3Dc%2Bd+%25%2F%3F%23%22%2C5%5D"
            + "&job_class=SleepyJob&job_id=0123456789abcdef01234567&queue=default";
    private static final String SERVER_BODY = "arguments=%5B7%2C%22raw+%C3%BCn%C3%AF+%E2%9C%93+a%26b%3Dc%2Bd+%25%2F%3F%23%22%2C5%5D"
            + "&job_class=SleepyJob&queue=default";

    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String faraday(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\n"
                + "User-Agent: Faraday v1.1.0\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "Accept-Encoding: gzip;q=1.0,deflate;q=0.6,identity;q=0.3\r\n"
                + "Accept: */*\r\n"
                + "Host: 127.0.0.1:" + server.base.getPort() + "\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                + "Connection: close\r\n"
                + "\r\n" + body;
    }

    @Test
    void the_exact_bytes_faraday_sends_record_queued_then_started_then_complete() {
        String queued = server.raw(faraday("/api/v1/jobs", QUEUED_BODY));
        assertThat(queued).startsWith("HTTP/1.1 201");
        assertThat(queued).containsIgnoringCase("Location: http://127.0.0.1:" + server.base.getPort() + "/api/v1/jobs/" + JID);
        assertThat(server.get("/api/v1/jobs?status=queued").json().get("jobs")).hasSize(1);

        assertThat(server.raw(faraday("/api/v1/jobs/" + JID + "/started", SERVER_BODY))).startsWith("HTTP/1.1 200");
        assertThat(server.get("/api/v1/jobs?status=started").json().get("jobs")).hasSize(1);

        assertThat(server.raw(faraday("/api/v1/jobs/" + JID + "/complete", SERVER_BODY))).startsWith("HTTP/1.1 200");
        JsonNode job = server.get("/api/v1/jobs/" + JID).json();
        assertThat(job.get("status").asText()).isEqualTo("complete");
        assertThat(job.get("job_class").asText()).isEqualTo("SleepyJob");
        assertThat(job.get("queue").asText()).isEqualTo("default");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        assertThat(job.get("arguments").toString()).isEqualTo("[7,\"raw ünï ✓ a&b=c+d %/?#\",5]");
        assertThat(job.get("queued_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(job.get("events")).extracting(e -> e.get("status").asText()).containsExactly("queued", "started", "complete");
        assertThat(server.get("/api/v1/jobs?status=complete").json().get("jobs")).hasSize(1);
        JsonNode durations = server.get("/api/v1/durations").json();
        assertThat(durations.get("jobs")).hasSize(1);
        assertThat(durations.get("jobs").get(0).get("job_id").asText()).isEqualTo(JID);
        assertThat(durations.get("summary").get("count").asInt()).isEqualTo(1);
        assertThat(durations.get("by_class").has("SleepyJob")).isTrue();
    }

    @Test
    void each_answer_is_the_job_201_when_created_and_200_when_updated() {
        Reply created = server.form("/api/v1/jobs/abc/started", "job_class=A&queue=q&arguments=%5B1%5D");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location")).endsWith("/api/v1/jobs/abc");
        assertThat(created.header("Content-Type")).startsWith("application/json");
        assertThat(created.json().get("status").asText()).isEqualTo("started");
        assertThat(created.json().get("queued_at").isNull()).isTrue();
        Reply updated = server.form("/api/v1/jobs", "job_id=abc&job_class=A");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.header("Location")).isNull();
        // A late queued joins the history and does not move a started job back.
        assertThat(updated.json().get("status").asText()).isEqualTo("started");
        assertThat(updated.json().get("queued_at").isNull()).isFalse();
    }

    @Test
    void json_bodies_carry_arguments_as_a_value_or_as_json_text_and_keep_every_digit() {
        String value = "{\"job_id\":\"j1\",\"job_class\":\"A\",\"arguments\":[12345678901234567890123,9007199254740993,1.10,\"😀\"]}";
        assertThat(server.post("/api/v1/jobs", "application/json", value).status()).isEqualTo(201);
        assertThat(server.get("/api/v1/jobs/j1").json().get("arguments").toString())
                .isEqualTo("[12345678901234567890123,9007199254740993,1.10,\"😀\"]");
        String text = "{\"job_id\":\"j2\",\"arguments\":\"[9007199254740993, {\\\"a\\\": 1}]\"}";
        assertThat(server.post("/api/v1/jobs", "application/json; charset=utf-8", text).status()).isEqualTo(201);
        assertThat(server.get("/api/v1/jobs/j2").body()).contains("\"arguments\":[9007199254740993, {\"a\": 1}]");
    }

    @Test
    void at_is_the_clients_time_in_epoch_seconds_or_iso_8601_and_orders_the_events() {
        server.form("/api/v1/jobs/j1/complete", "at=1795887452.5");
        server.form("/api/v1/jobs/j1/started", "at=2026-11-28T17:37:31.25%2B00:00");
        server.post("/api/v1/jobs", "application/json", "{\"job_id\":\"j1\",\"at\":1795887450.2174892}");
        JsonNode job = server.get("/api/v1/jobs/j1").json();
        assertThat(job.get("status").asText()).isEqualTo("complete");
        assertThat(job.get("queued_at").asText()).isEqualTo("2026-11-28T17:37:30.217Z");
        assertThat(job.get("started_at").asText()).isEqualTo("2026-11-28T17:37:31.250Z");
        assertThat(job.get("completed_at").asText()).isEqualTo("2026-11-28T17:37:32.500Z");
        assertThat(job.get("events")).extracting(e -> e.get("status").asText()).containsExactly("queued", "started", "complete");
        JsonNode durations = server.get("/api/v1/durations?from=started").json();
        assertThat(durations.get("jobs").get(0).get("duration_ms").asDouble()).isEqualTo(1250.0);
        assertThat(server.get("/api/v1/durations?from=queued").json().get("jobs").get(0).get("duration_ms").decimalValue())
                .isEqualByComparingTo("2282.511");
    }

    @Test
    void a_post_with_no_body_and_no_content_type_is_an_event_without_fields() {
        Reply started = server.post("/api/v1/jobs/bare/started", null, new byte[0], null);
        assertThat(started.status()).isEqualTo(201);
        assertThat(started.json().get("status").asText()).isEqualTo("started");
        assertThat(server.post("/api/v1/jobs/bare/complete", null, new byte[0], null).json().get("status").asText())
                .isEqualTo("complete");
    }

    @Test
    void a_duplicate_event_changes_nothing() {
        server.form("/api/v1/jobs/j1/started", "at=1795887450");
        Reply again = server.form("/api/v1/jobs/j1/started", "at=1795887450");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("attempts").asInt()).isEqualTo(1);
        assertThat(server.get("/api/v1/jobs/j1").json().get("events")).hasSize(1);
    }

    @Test
    void failed_records_the_error_and_a_later_start_is_a_retry() {
        Reply failed = server.form("/api/v1/jobs/j1/failed",
                "at=1795887451&job_class=FlakyJob&error_class=FlakyError&error_message=deliberate+failure+1%2F1");
        assertThat(failed.json().get("status").asText()).isEqualTo("failed");
        assertThat(failed.json().get("error").get("class").asText()).isEqualTo("FlakyError");
        assertThat(failed.json().get("error").get("message").asText()).isEqualTo("deliberate failure 1/1");
        Reply retried = server.form("/api/v1/jobs/j1/started", "at=1795887460");
        assertThat(retried.json().get("status").asText()).isEqualTo("started");
        assertThat(retried.json().get("attempts").asInt()).isEqualTo(1);
        assertThat(server.form("/api/v1/jobs/j1/started", "at=1795887470").json().get("attempts").asInt()).isEqualTo(2);
    }

    @Test
    void fields_the_contract_does_not_name_are_ignored() {
        Reply reply = server.form("/api/v1/jobs", "job_id=j1&bid=xyz&tags=%5B%5D&job_class=A&job_class=B");
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json().get("job_class").asText()).isEqualTo("A");
        assertThat(reply.json().has("bid")).isFalse();
    }

    @Test
    void the_batch_endpoint_answers_each_event_and_records_only_the_valid_ones() {
        String batch = "[{\"job_id\":\"b1\",\"status\":\"queued\",\"at\":1795887450,\"job_class\":\"A\",\"arguments\":[1]},"
                + "{\"job_id\":\"b1\",\"status\":\"started\",\"at\":1795887451},"
                + "{\"job_id\":\"bad id\",\"status\":\"started\"},"
                + "{\"job_id\":\"b2\",\"status\":\"exploded\"},"
                + "{\"job_id\":\"b3\",\"status\":\"complete\",\"arguments\":\"[1,\"},"
                + "{\"job_id\":\"b1\",\"status\":\"started\",\"at\":1795887451},"
                + "42]";
        Reply reply = server.post("/api/v1/events", "application/json", batch);
        assertThat(reply.status()).isEqualTo(200);
        JsonNode answer = reply.json();
        assertThat(answer.get("created").asInt()).isEqualTo(1);
        assertThat(answer.get("updated").asInt()).isEqualTo(1);
        assertThat(answer.get("duplicate").asInt()).isEqualTo(1);
        assertThat(answer.get("rejected").asInt()).isEqualTo(4);
        assertThat(answer.get("results")).extracting(r -> r.get("result").asText())
                .containsExactly("created", "updated", "rejected", "rejected", "rejected", "duplicate", "rejected");
        assertThat(answer.get("results").get(2).get("field").asText()).isEqualTo("job_id");
        assertThat(answer.get("results").get(3).get("field").asText()).isEqualTo("status");
        assertThat(answer.get("results").get(4).get("field").asText()).isEqualTo("arguments");
        assertThat(server.get("/api/v1/jobs").json().get("jobs")).extracting(j -> j.get("job_id").asText()).containsExactly("b1");
        assertThat(server.get("/api/v1/jobs/b1").json().get("attempts").asInt()).isEqualTo(1);
    }

    /** A job's Sidekiq hash with what must survive: options, tags, a custom key, integers beyond 2^53, 1.10, Unicode. */
    private static final String HASH = "{\"retry\":false,\"queue\":\"mail\",\"tags\":[\"billing\"],"
            + "\"args\":[12345678901234567890123,1.10,\"ünï 😀\"],\"class\":\"MailJob\",\"jid\":\"p1\",\"custom\":{\"k\":null}}";

    @Test
    void a_payload_is_kept_exactly_as_sent_in_form_json_and_batch_bodies_and_shown_on_the_single_job_only() {
        Reply form = server.form("/api/v1/jobs/p1/started", "job_class=MailJob&payload="
                + URLEncoder.encode(HASH, StandardCharsets.UTF_8));
        assertThat(form.status()).isEqualTo(201);
        assertThat(form.json().has("payload")).as("ingest answers stay small").isFalse();
        JsonNode job = server.get("/api/v1/jobs/p1").json();
        assertThat(job.get("payload").toString()).isEqualTo(HASH);
        assertThat(server.get("/api/v1/jobs").json().get("jobs").get(0).has("payload")).as("list pages stay small").isFalse();

        assertThat(server.post("/api/v1/jobs/p2/started", "application/json", "{\"payload\":" + HASH + "}").status()).isEqualTo(201);
        assertThat(server.get("/api/v1/jobs/p2").json().get("payload").toString()).isEqualTo(HASH);
        String asText = "{\"payload\":" + Json.MAPPER.valueToTree(HASH).toString() + "}";
        assertThat(server.post("/api/v1/jobs/p3/started", "application/json", asText).status()).isEqualTo(201);
        assertThat(server.get("/api/v1/jobs/p3").json().get("payload").toString()).isEqualTo(HASH);

        String batch = "[{\"job_id\":\"p4\",\"status\":\"started\",\"at\":1795887451,\"payload\":" + HASH + "},"
                + "{\"job_id\":\"p4\",\"status\":\"started\",\"at\":1795887450,\"payload\":{\"older\":true}},"
                + "{\"job_id\":\"p5\",\"status\":\"started\",\"payload\":[1]}]";
        JsonNode answer = server.post("/api/v1/events", "application/json", batch).json();
        assertThat(answer.get("results")).extracting(r -> r.get("result").asText()).containsExactly("created", "updated", "rejected");
        assertThat(answer.get("results").get(2).get("field").asText()).isEqualTo("payload");
        // The latest by event time: the late, older one does not replace it.
        assertThat(server.get("/api/v1/jobs/p4").json().get("payload").toString()).isEqualTo(HASH);
        assertThat(server.get("/api/v1/jobs/p5").status()).isEqualTo(404);
        server.form("/api/v1/jobs/p6/started", "job_class=A");
        assertThat(server.get("/api/v1/jobs/p6").json().get("payload").isNull()).isTrue();
    }

    @Test
    void a_payload_that_is_not_a_json_object_or_too_long_is_a_400_naming_it_and_records_nothing() {
        for (String body : new String[] {"{\"payload\":[1]}", "{\"payload\":42}", "{\"payload\":true}", "{\"payload\":\"[1]\"}",
                "{\"payload\":\"{\\\"a\\\":\"}"}) {
            Reply reply = server.post("/api/v1/jobs/bad/started", "application/json", body);
            assertThat(reply.status()).as(body).isEqualTo(400);
            assertThat(reply.json().get("field").asText()).isEqualTo("payload");
        }
        Reply form = server.form("/api/v1/jobs/bad/started", "payload=%5B1%5D");
        assertThat(form.status()).isEqualTo(400);
        assertThat(form.json().get("field").asText()).isEqualTo("payload");
        // Within the 1 MiB body limit, beyond what one payload may hold.
        String huge = "{\"payload\":{\"k\":\"" + "x".repeat(1_000_000) + "\"}}";
        Reply tooLong = server.post("/api/v1/jobs/bad/started", "application/json", huge);
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("field").asText()).isEqualTo("payload");
        assertThat(tooLong.json().get("error").asText()).contains("payload is longer than 1000000 characters");
        assertThat(server.get("/api/v1/jobs/bad").status()).isEqualTo(404);
    }

    @Test
    void the_batch_endpoint_takes_json_only_and_at_most_a_thousand_events() {
        assertThat(server.form("/api/v1/events", "job_id=x").status()).isEqualTo(415);
        assertThat(server.post("/api/v1/events", "application/json", "{\"job_id\":\"x\"}").status()).isEqualTo(400);
        String big = "[" + "{\"job_id\":\"x\",\"status\":\"queued\"},".repeat(1000) + "{\"job_id\":\"x\",\"status\":\"queued\"}]";
        Reply tooMany = server.post("/api/v1/events", "application/json", big);
        assertThat(tooMany.status()).isEqualTo(413);
        assertThat(server.get("/api/v1/jobs").json().get("jobs")).isEmpty();
    }

    @Test
    void progress_is_recorded_on_a_known_job_and_shown_in_its_json_and_on_its_page() {
        try (TestServer server = TestServer.start()) {
            server.form("/api/v1/jobs", "job_id=prog1&job_class=Import&arguments=%5B1%5D");
            server.form("/api/v1/jobs/prog1/started", "");
            Reply progress = server.form("/api/v1/jobs/prog1/progress", "at=40&total=160&message=rows+%3Cb%3E");
            assertThat(progress.status()).as(progress.body()).isEqualTo(200);
            assertThat(progress.json().get("progress").get("at").asLong()).isEqualTo(40);
            assertThat(progress.json().get("progress").get("total").asLong()).isEqualTo(160);
            assertThat(progress.json().get("progress").get("message").asText()).isEqualTo("rows <b>");
            assertThat(progress.json().get("progress").get("updated_at").asText()).endsWith("Z");
            assertThat(server.get("/api/v1/jobs/prog1").json().get("status").asText()).isEqualTo("started");
            assertThat(server.get("/api/v1/jobs/prog1").json().get("events")).hasSize(2);
            assertThat(server.post("/api/v1/jobs/prog1/progress", "application/json", "{\"at\":41}").json().get("progress")
                    .get("at").asLong()).isEqualTo(41);
            String page = server.get("/sidekiq/jobs/prog1").body();
            assertThat(page).contains("<progress value=\"41\" max=\"160\">").contains("rows &lt;b&gt;");

            BadInputTest.assertError(server.form("/api/v1/jobs/unknown/progress", "at=1"), 404, "job_id");
            BadInputTest.assertError(server.form("/api/v1/jobs/prog1/progress", "at=many"), 400, "at");
            BadInputTest.assertError(server.form("/api/v1/jobs/prog1/progress", "total=-1"), 400, "total");
            BadInputTest.assertError(server.form("/api/v1/jobs/prog1/progress", ""), 400, "at");
            BadInputTest.assertError(server.form("/api/v1/jobs/prog1/progress", "message=" + "m".repeat(1001)), 400, "message");
            BadInputTest.assertError(server.form("/api/v1/jobs/bad%20id/progress", "at=1"), 400, "job_id");
            assertThat(server.get("/api/v1/jobs/prog1").json().get("progress").get("at").asLong()).isEqualTo(41);
            assertThat(server.get("/api/v1/jobs/unknown").status()).isEqualTo(404);
        }
    }
}
