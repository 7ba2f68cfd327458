package org.sidekiqsupervisor.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.testing.SupervisorProcess;

/**
 * SIGTERM on the jar as users run it: the server stops taking connections and requests at once, lets the requests it
 * has in hand finish, and only then closes the store; a stop that finished everything it started exits 0. Each test
 * holds a real request in flight across the signal (one whose transaction is under way, one still uploading its body)
 * and decides when it may finish: nothing here waits a set time. The held requests are answered once the store
 * committed them ({@code --ingest-journal off}): with the journal an event is answered before the store writes it, and
 * the stop then applies the journal before it closes the store.
 */
class GracefulStopIT {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Far beyond anything a busy machine needs: only a server that never answers waits this long. */
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private static final String STOPPING_WITH_ONE = "stopping: no longer accepting connections; finishing 1 request in flight";
    private static final String ALL_ANSWERED = "stopping: every request in flight has been answered; closing the store";
    private static final String STORE_CLOSED = "stopped; store closed";

    @TempDir
    Path dir;

    @Test
    void a_request_whose_store_work_is_under_way_at_sigterm_gets_its_answer_before_the_store_closes() throws Exception {
        Path release = slowStoreForTheHeldJob();
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, Map.of(), "--port", "0", "--ingest-journal", "off")) {
            URI base = supervisor.base();
            CompletableFuture<HttpResponse<String>> answer = startTheHeldJob(supervisor);

            supervisor.terminate();
            await("the server stopping").atMost(PATIENCE).until(() -> supervisor.log().contains(STOPPING_WITH_ONE));
            assertRefused(base);
            assertThat(answer).as("the request in flight, its transaction still open after the signal:\n%s", supervisor.log())
                    .isNotDone();
            assertThat(supervisor.log()).doesNotContain(STORE_CLOSED);
            Files.createFile(release);

            HttpResponse<String> response = answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(JSON.readTree(response.body()).get("status").asText()).isEqualTo("started");
            assertThat(supervisor.awaitExit()).as(supervisor.log()).isZero();
            assertStoreClosedAfterTheRequest(supervisor.log());
        }
    }

    @Test
    void a_request_still_running_when_the_grace_runs_out_does_not_hold_the_stop_which_then_is_not_clean() throws Exception {
        Path release = slowStoreForTheHeldJob();
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, Map.of(), "--port", "0", "--shutdown-grace", "1",
                "--ingest-journal", "off")) {
            startTheHeldJob(supervisor);

            supervisor.terminate();
            await("the grace running out").atMost(PATIENCE)
                    .until(() -> supervisor.log().contains("stopping: 1 request still in flight after 1 s; closing the store anyway"));
            // Closing the store waits for its writer, still in that transaction: let it finish.
            Files.createFile(release);
            assertThat(supervisor.awaitExit()).as(supervisor.log()).isEqualTo(128 + 15);
            assertThat(supervisor.log()).contains(STORE_CLOSED).doesNotContain(ALL_ANSWERED);
        }
    }

    /**
     * A slow store, made in the database itself while no server runs (the server's code is not changed): after a first
     * run has recorded the job "held" as queued, writing its {@code started} event waits, in a check constraint, until
     * the test creates the file this returns.
     */
    private Path slowStoreForTheHeldJob() throws Exception {
        try (SupervisorProcess first = SupervisorProcess.serve(dir, Map.of(), "--port", "0")) {
            assertThat(post(first.base(), "api/v1/jobs", "job_id=held&job_class=SlowStore").statusCode()).isEqualTo(201);
            first.terminate();
            assertThat(first.awaitExit()).as(first.log()).isZero();
        }
        Path release = dir.resolve("release");
        try (Connection store = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("supervisor-data/supervisor").toAbsolutePath());
             Statement sql = store.createStatement()) {
            sql.execute("create alias await_file as 'boolean awaitFile(String path) throws Exception { "
                    + "while (!java.nio.file.Files.exists(java.nio.file.Path.of(path))) { Thread.sleep(20); } return true; }'");
            sql.execute("alter table supervisor_job_events add constraint held_waits_for_release check (job_id <> 'held' "
                    + "or status <> 'started' or await_file('" + release.toAbsolutePath() + "'))");
        }
        return release;
    }

    /** Sends the held job's {@code started} and waits until its transaction is writing it, in the slow store. */
    private static CompletableFuture<HttpResponse<String>> startTheHeldJob(SupervisorProcess supervisor) {
        CompletableFuture<HttpResponse<String>> answer = CLIENT.sendAsync(form(supervisor.base(), "api/v1/jobs/held/started",
                "job_class=SlowStore"), HttpResponse.BodyHandlers.ofString());
        await("the request's transaction writing the held job's event").atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                .until(() -> supervisor.threadDump().contains("awaitFile("));
        return answer;
    }

    @Test
    void a_batch_still_uploading_at_sigterm_is_read_to_its_end_recorded_and_answered() throws Exception {
        int events = 200;
        byte[] body = batch(events);
        int sentBeforeTheSignal = body.length / 2;
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, Map.of(), "--port", "0")) {
            URI base = supervisor.base();
            try (Socket keptAlive = connect(base); Socket upload = connect(base)) {
                // A client's connection kept alive from an earlier request: its next request comes after the signal.
                assertThat(exchange(keptAlive, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");

                OutputStream out = upload.getOutputStream();
                out.write(("POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, sentBeforeTheSignal);
                out.flush();
                // In the server's hands: a request thread in the batch endpoint, reading the rest of the body.
                await("a request thread reading the half-sent batch").atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                        .until(() -> supervisor.threadDump().contains("at org.sidekiqsupervisor.jaxrs.EventsResource.batch("));

                supervisor.terminate();
                await("the server stopping").atMost(PATIENCE).until(() -> supervisor.log().contains(STOPPING_WITH_ONE));
                assertRefused(base);
                // Grizzly turns away new requests on open connections too, as soon as its listener has the stop.
                await("a new request on the kept-alive connection refused").atMost(PATIENCE)
                        .untilAsserted(() -> assertThat(exchange(keptAlive, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"))
                                .startsWith("HTTP/1.1 503"));

                // The rest of the body, a byte at a time.
                for (int i = sentBeforeTheSignal; i < body.length; i++) {
                    out.write(body[i]);
                    out.flush();
                }
                String response = readResponse(upload.getInputStream());
                assertThat(response).startsWith("HTTP/1.1 200");
                JsonNode answer = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
                assertThat(answer.get("created").asInt()).as(response).isEqualTo(events);
                assertThat(answer.get("rejected").asInt()).isZero();
            }
            assertThat(supervisor.awaitExit()).as(supervisor.log()).isZero();
            assertStoreClosedAfterTheRequest(supervisor.log());
        }
        try (SupervisorProcess again = SupervisorProcess.serve(dir, Map.of(), "--port", "0")) {
            for (int i = 0; i < events; i++) {
                JsonNode job = get(again.base(), "api/v1/jobs/" + jobId(i));
                assertThat(job.get("status").asText()).isEqualTo("queued");
                assertThat(job.get("job_class").asText()).isEqualTo("SlowUpload");
            }
        }
    }

    /** The stop waited for the request before it closed the store, and said so in that order. */
    private static void assertStoreClosedAfterTheRequest(String log) {
        int stopping = log.indexOf(STOPPING_WITH_ONE);
        int answered = log.indexOf(ALL_ANSWERED);
        int closed = log.indexOf(STORE_CLOSED);
        assertThat(stopping).as(log).isNotNegative();
        assertThat(answered).as(log).isGreaterThan(stopping);
        assertThat(closed).as(log).isGreaterThan(answered);
        assertThat(log).doesNotContain("still in flight");
    }

    /** A new connection is refused: the port was closed before the server said it was stopping. */
    private static void assertRefused(URI base) {
        assertThatThrownBy(() -> connect(base).close()).isInstanceOf(ConnectException.class);
    }

    private static byte[] batch(int events) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < events; i++) {
            json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"job_id\":\"%s\",\"status\":\"queued\",\"job_class\":\"SlowUpload\",\"queue\":\"default\","
                            + "\"at\":\"2026-11-28T17:00:%02d.%03dZ\"}", jobId(i), i / 1000, i % 1000));
        }
        return json.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String jobId(int i) {
        return String.format(Locale.ROOT, "upload-%04d", i);
    }

    private static Socket connect(URI base) throws IOException {
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout((int) PATIENCE.toMillis());
        return socket;
    }

    /** Sends a request on a raw connection and reads its whole response (headers and a Content-Length body). */
    private static String exchange(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return readResponse(socket.getInputStream());
    }

    /** One response: its status line and headers, then its body as Content-Length or chunked encoding says. */
    private static String readResponse(InputStream in) throws IOException {
        String head = readLine(in);
        StringBuilder response = new StringBuilder(head).append("\r\n");
        int length = -1;
        boolean chunked = false;
        for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
            response.append(header).append("\r\n");
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring("content-length:".length()).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        response.append("\r\n");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16); size > 0;
                 size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16)) {
                body.write(readExactly(in, size));
                readLine(in);
            }
            while (!readLine(in).isEmpty()) {
                // trailers
            }
        } else if (length >= 0) {
            body.write(readExactly(in, length));
        } else {
            throw new IOException("neither Content-Length nor chunked: " + response);
        }
        return response + body.toString(StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection closed after " + line.toString(StandardCharsets.ISO_8859_1));
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] readExactly(InputStream in, int size) throws IOException {
        byte[] bytes = in.readNBytes(size);
        if (bytes.length < size) {
            throw new IOException("the connection closed " + (size - bytes.length) + " bytes short");
        }
        return bytes;
    }

    private static HttpRequest form(URI base, String path, String form) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(PATIENCE)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
    }

    private static HttpResponse<String> post(URI base, String path, String form) throws Exception {
        return CLIENT.send(form(base, path, form), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(URI base, String path) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(PATIENCE).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
