package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.sidekiqsupervisor.internal.Json;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobQuery;

/**
 * Hostile input, generated (jqwik): random bytes, invalid UTF-8, any text in every field and query parameter,
 * very long and very many parameters, deep JSON. Whatever comes in, the answer is never a 5xx, a refused request
 * writes nothing, an accepted one stores exactly what was sent, and the server stays up.
 */
class HostileInputPropertiesTest {
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static TestServer server;
    private static final java.util.concurrent.atomic.AtomicInteger IDS = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeContainer
    static void start() {
        server = TestServer.start();
    }

    @AfterContainer
    static void stop() {
        assertThat(server.get("/health").status()).as("the server is still up").isEqualTo(200);
        server.close();
    }

    /** Jobs and events in the store: what a refused request must leave unchanged. */
    private static String snapshot() {
        long jobs = server.supervisor.jobManager().queries().countByStatus().values().stream().mapToLong(Long::longValue).sum();
        StringBuilder all = new StringBuilder().append(jobs);
        for (Job job : server.supervisor.jobManager().queries().list(JobQuery.builder().limit(1000).build(), false).jobs()) {
            all.append('|').append(job.jobId()).append(':').append(job.status()).append(':').append(job.attempts());
        }
        return all.toString();
    }

    private static void assertNot5xx(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isLessThan(500);
        if (reply.status() >= 400) {
            assertThat(reply.json().get("error").asText()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.of("application/x-www-form-urlencoded", "application/json", "application/json; charset=utf-8",
                "application/x-www-form-urlencoded; charset=ISO-8859-1", "text/plain", "multipart/form-data; boundary=x",
                "application/json; charset=\"", ";;;", "");
    }

    @Provide
    Arbitrary<String> ingestPaths() {
        return Arbitraries.of("/api/v1/jobs", "/api/v1/jobs/known/started", "/api/v1/jobs/known/complete",
                "/api/v1/jobs/known/failed");
    }

    @Property(tries = 300)
    void random_bytes_in_any_content_type_never_5xx_and_a_refusal_writes_nothing(
            @ForAll @Size(max = 3000) byte[] body, @ForAll("contentTypes") String type, @ForAll("ingestPaths") String path) {
        String before = snapshot();
        Reply reply = server.post(path, type.isEmpty() ? null : type, body, null);
        assertNot5xx(reply);
        if (reply.status() >= 400) {
            assertThat(snapshot()).isEqualTo(before);
        }
    }

    @Property(tries = 200)
    void random_bytes_to_the_batch_endpoint_never_5xx(@ForAll @Size(max = 3000) byte[] body, @ForAll("contentTypes") String type) {
        assertNot5xx(server.post("/api/v1/events", type.isEmpty() ? null : type, body, null));
    }

    /** Any text: unicode, control characters, %, _, quotes, backslashes, HTML, script. */
    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(300),
                Arbitraries.strings().withChars("%_\\'\"<>&;=+/?#[]{}:,. \t\n\r\0").ofMaxLength(40),
                Arbitraries.of("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "'; drop table supervisor_jobs; --",
                        "%", "_", "\\", "\"", "%_%", "\\%", "null", "[]", "{}", "[1,", "\uD800", "\uFEFF"));
    }

    @Property(tries = 300)
    void any_text_in_the_fields_is_stored_exactly_or_refused_with_nothing_written(
            @ForAll("anyText") String jobId, @ForAll("anyText") String jobClass, @ForAll("anyText") String queue,
            @ForAll("anyText") String arguments, @ForAll("anyText") String at) throws Exception {
        String before = snapshot();
        // Fields fill in what a job lacks and never overwrite: know what it had, if it existed.
        Reply earlier = JOB_ID.matcher(jobId).matches() ? server.get("/api/v1/jobs/" + jobId) : null;
        JsonNode previous = earlier != null && earlier.status() == 200 ? earlier.json() : null;
        String form = "job_id=" + encode(jobId) + "&job_class=" + encode(jobClass) + "&queue=" + encode(queue)
                + "&arguments=" + encode(arguments) + (at.isEmpty() ? "" : "&at=" + encode(at));
        Reply reply = server.form("/api/v1/jobs", form);
        assertNot5xx(reply);
        if (reply.status() >= 400) {
            assertThat(snapshot()).isEqualTo(before);
            return;
        }
        assertThat(JOB_ID.matcher(jobId).matches()).isTrue();
        JsonNode job = server.get("/api/v1/jobs/" + jobId).json();
        if (previous != null && job.get("events").size() == previous.get("events").size()) {
            // A duplicate (the job had a queued event at that time already) changes nothing, not even empty fields.
            assertThat(job).isEqualTo(previous);
            return;
        }
        assertThat(job.get("job_class")).isEqualTo(expected(previous, "job_class", jobClass));
        assertThat(job.get("queue")).isEqualTo(expected(previous, "queue", queue));
        if (previous == null || previous.get("arguments").isNull()) {
            assertThat(job.get("arguments")).isEqualTo(arguments.isEmpty() ? Json.MAPPER.nullNode()
                    : Json.MAPPER.readTree(asUtf8Carries(arguments)));
        } else {
            assertThat(job.get("arguments")).isEqualTo(previous.get("arguments"));
        }
    }

    /**
     * What a text field must read after the post: what the job had, else what was sent (an empty text is none). What
     * was sent is the text as UTF-8 carries it: a lone surrogate has no UTF-8 form, and the client's encoder sends
     * {@code ?} for it.
     */
    private static JsonNode expected(JsonNode previous, String field, String text) {
        if (previous != null && !previous.get(field).isNull()) {
            return previous.get(field);
        }
        String sent = asUtf8Carries(text);
        return sent.isEmpty() ? Json.MAPPER.nullNode() : Json.MAPPER.getNodeFactory().textNode(sent);
    }

    /** The text as a UTF-8 body carries it: a lone surrogate, which UTF-8 cannot encode, becomes {@code ?}. */
    private static String asUtf8Carries(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    @Example
    void a_lone_surrogate_which_utf8_cannot_carry_arrives_as_the_question_mark_the_client_sent() throws Exception {
        any_text_in_the_fields_is_stored_exactly_or_refused_with_nothing_written("surrogate1",
                "Mailer\uDD0E", "default\u0000", "[\"\uD800\"]", "");
        JsonNode job = server.get("/api/v1/jobs/surrogate1").json();
        assertThat(job.get("job_class").asText()).isEqualTo("Mailer?");
        assertThat(job.get("queue").asText()).isEqualTo("default\u0000");
    }

    @Property(tries = 300)
    void any_query_parameters_never_5xx_and_the_filter_is_literal(
            @ForAll("anyText") String filter, @ForAll("anyText") String status, @ForAll("anyText") String jobClass,
            @ForAll("anyText") String limit, @ForAll("anyText") String cursor, @ForAll("anyText") String since) {
        server.form("/api/v1/jobs", "job_id=q1&arguments=" + encode("[\"100%_sure\\\\\",\"<b>\"]"));
        Reply reply = server.get("/api/v1/jobs?filter=" + encode(filter) + "&status=" + encode(status) + "&job_class="
                + encode(jobClass) + "&limit=" + encode(limit) + "&cursor=" + encode(cursor) + "&since=" + encode(since));
        assertNot5xx(reply);
        if (reply.status() == 200) {
            for (JsonNode job : reply.json().get("jobs")) {
                assertThat(job.get("arguments").toString()).contains(filter);
            }
        }
        Reply page = server.get("/sidekiq/jobs?filter=" + encode(filter) + "&status=" + encode(status) + "&job_class="
                + encode(jobClass) + "&cursor=" + encode(cursor) + "&since=" + encode(since));
        assertThat(page.status()).isLessThan(500);
        assertThat(page.body()).doesNotContain("<script>alert").doesNotContain("<img src=x");
        assertNot5xx(server.get("/api/v1/durations?filter=" + encode(filter) + "&from=" + encode(status) + "&limit=" + encode(limit)));
    }

    @Property(tries = 100)
    void odd_job_ids_in_the_path_are_refused_or_taken_as_they_are(@ForAll("anyText") String jobId) {
        String path = "/api/v1/jobs/" + URLEncoder.encode(jobId, StandardCharsets.UTF_8).replace("+", "%20") + "/started";
        if (jobId.isEmpty() || jobId.equals(".") || jobId.equals("..")) {
            return;
        }
        String before = snapshot();
        Reply reply = server.form(path, "");
        assertNot5xx(reply);
        if (reply.status() >= 400) {
            assertThat(snapshot()).isEqualTo(before);
        } else {
            assertThat(JOB_ID.matcher(jobId).matches()).as(jobId).isTrue();
        }
    }

    @Property(tries = 60)
    void deep_json_nesting_is_refused_past_the_limit(@ForAll @IntRange(min = 1, max = 5000) int depth) {
        String nested = "[".repeat(depth) + "]".repeat(depth);
        Reply reply = server.form("/api/v1/jobs", "job_id=deep" + IDS.incrementAndGet() + "&arguments=" + encode(nested));
        assertNot5xx(reply);
        assertThat(reply.status()).isEqualTo(depth <= Json.MAX_NESTING_DEPTH ? 201 : 400);
        Reply asJson = server.post("/api/v1/events", "application/json", "[{\"job_id\":\"deepj" + depth + "\",\"status\":\"queued\","
                + "\"arguments\":" + nested + "}]");
        assertNot5xx(asJson);
    }

    @Property(tries = 30)
    void very_many_and_very_long_parameters_never_5xx(@ForAll @IntRange(min = 1, max = 3000) int count,
                                                       @ForAll @IntRange(min = 0, max = 2000) int length) {
        StringBuilder form = new StringBuilder("job_id=many").append(IDS.incrementAndGet());
        String value = "v".repeat(length);
        for (int i = 0; i < count; i++) {
            form.append("&p").append(i).append('=').append(value);
        }
        Reply reply = server.form("/api/v1/jobs", form.toString());
        assertNot5xx(reply);
        // Within the 1 MiB limit it is taken (unknown fields are ignored); beyond it, 413.
        assertThat(reply.status()).isEqualTo(form.length() > 1024 * 1024 ? 413 : 201);
    }

    @Provide
    Arbitrary<byte[]> invalidUtf8() {
        Arbitrary<byte[]> bad = Arbitraries.of(new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xED, (byte) 0xA0,
                (byte) 0x80}, new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80});
        return Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(10), bad).as((prefix, bytes) -> {
            byte[] text = prefix.getBytes(StandardCharsets.UTF_8);
            byte[] all = new byte[text.length + bytes.length];
            System.arraycopy(text, 0, all, 0, text.length);
            System.arraycopy(bytes, 0, all, text.length, bytes.length);
            return all;
        });
    }

    @Property(tries = 60)
    void invalid_utf8_is_refused_whether_raw_or_percent_encoded(@ForAll("invalidUtf8") byte[] value) {
        String before = snapshot();
        StringBuilder percent = new StringBuilder();
        for (byte b : value) {
            percent.append(String.format("%%%02X", b & 0xFF));
        }
        Reply encoded = server.form("/api/v1/jobs", "job_id=utf&job_class=" + percent);
        assertThat(encoded.status()).as(encoded.body()).isEqualTo(400);
        byte[] raw = ("job_id=utf&job_class=").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[raw.length + value.length];
        System.arraycopy(raw, 0, body, 0, raw.length);
        System.arraycopy(value, 0, body, raw.length, value.length);
        assertThat(server.post("/api/v1/jobs", "application/x-www-form-urlencoded", body, null).status()).isEqualTo(400);
        byte[] json = new byte[value.length + 30];
        byte[] head = "{\"job_id\":\"utf\",\"queue\":\"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, json, 0, head.length);
        System.arraycopy(value, 0, json, head.length, value.length);
        json[head.length + value.length] = '"';
        json[head.length + value.length + 1] = '}';
        byte[] trimmed = java.util.Arrays.copyOf(json, head.length + value.length + 2);
        assertThat(server.post("/api/v1/jobs", "application/json", trimmed, null).status()).isEqualTo(400);
        assertThat(snapshot()).isEqualTo(before);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
