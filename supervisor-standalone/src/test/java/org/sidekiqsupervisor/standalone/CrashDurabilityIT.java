package org.sidekiqsupervisor.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;
import org.sidekiqsupervisor.testing.SupervisorProcess;

/**
 * SIGKILL while many clients send events: after a restart, every event that was answered 2xx is there, on the H2
 * file default and on PostgreSQL, and the arguments filter finds their jobs. (Events in flight when the process died
 * were never acknowledged; clients retry.)
 */
class CrashDurabilityIT {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 12;

    @TempDir
    Path dir;

    /** One acknowledged event: the job, its status and its client time. */
    private record Acked(String jobId, String status, long atMicros) {
    }

    @Test
    void every_acknowledged_event_survives_a_sigkill_under_load_on_h2() throws Exception {
        assertSurvivesSigkill(new String[] {"--port", "0"});
    }

    @Test
    @RequiresService(Service.POSTGRES)
    void every_acknowledged_event_survives_a_sigkill_under_load_on_postgresql() throws Exception {
        try (PostgresDatabase database = PostgresDatabase.create()) {
            assertSurvivesSigkill(new String[] {"--port", "0", "--database-url", database.url(), "--database-user", database.user()});
        }
    }

    private void assertSurvivesSigkill(String[] settings) throws Exception {
        ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, Map.of(), settings)) {
            URI base = supervisor.base();
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                running.add(clients.submit(() -> send(base, client, sending, acked)));
            }
            // Let the load build up, then kill the server mid-stream, with requests in flight.
            await("600 events acknowledged").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(acked.size()).isGreaterThanOrEqualTo(600));
            supervisor.kill();
            supervisor.awaitExit();
            sending.set(false);
            for (Future<?> each : running) {
                each.get(2, TimeUnit.MINUTES);
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(acked.size()).isGreaterThanOrEqualTo(600);

        try (SupervisorProcess again = SupervisorProcess.serve(dir, Map.of(), settings)) {
            Set<String> jobIds = new HashSet<>();
            acked.forEach(a -> jobIds.add(a.jobId()));
            Set<String> stored = new HashSet<>();
            for (String jobId : jobIds) {
                HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(again.base().resolve("api/v1/jobs/" + jobId))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as("job %s was acknowledged", jobId).isEqualTo(200);
                for (JsonNode event : JSON.readTree(response.body()).get("events")) {
                    stored.add(jobId + " " + event.get("status").asText() + " " + event.get("at").asText());
                }
            }
            List<String> missing = acked.stream()
                    .map(a -> a.jobId() + " " + a.status() + " " + java.time.Instant.EPOCH.plus(a.atMicros(), java.time.temporal.ChronoUnit.MICROS)
                            .toString())
                    .filter(key -> stored.stream().noneMatch(s -> sameEvent(s, key)))
                    .toList();
            assertThat(missing).as("acknowledged events missing after the SIGKILL").isEmpty();

            // The arguments filter finds them too (on H2, its index holds what it had committed; the rest is indexed
            // again from the jobs on start): each client's last acknowledged queued jobs, by their unique arguments.
            List<String> queued = acked.stream().filter(a -> a.status().equals("queued")
                            && Integer.parseInt(a.jobId().substring(a.jobId().indexOf('-') + 1)) % 5 != 4)
                    .map(Acked::jobId).sorted().toList();
            List<String> sample = queued.subList(Math.max(0, queued.size() - 60), queued.size());
            for (String jobId : sample) {
                String needle = URLEncoder.encode("\"" + jobId + "\"", StandardCharsets.UTF_8);
                HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(again.base().resolve("api/v1/jobs?filter=" + needle))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                List<String> found = new ArrayList<>();
                JSON.readTree(response.body()).get("jobs").forEach(job -> found.add(job.get("job_id").asText()));
                assertThat(found).as("the filter for %s's arguments", jobId).containsExactly(jobId);
            }
        }
    }

    /** The API writes times with millisecond precision; the client sent whole milliseconds. */
    private static boolean sameEvent(String stored, String sent) {
        String[] a = stored.split(" ");
        String[] b = sent.split(" ");
        return a[0].equals(b[0]) && a[1].equals(b[1]) && java.time.Instant.parse(a[2]).equals(java.time.Instant.parse(b[2]));
    }

    /** One client: job after job, queued → started → complete, each event with its own time; some as batches. */
    private static void send(URI base, int client, AtomicBoolean sending, ConcurrentLinkedQueue<Acked> acked) {
        long at = 1_790_000_000_000L + client * 100_000_000L;
        for (int n = 0; sending.get(); n++) {
            String jobId = "c" + client + "-" + n;
            try {
                if (n % 5 == 4) {
                    long q = at += 1;
                    long s = at += 1;
                    String body = "[{\"job_id\":\"" + jobId + "\",\"status\":\"queued\",\"at\":" + seconds(q) + ",\"job_class\":\"Crash\"},"
                            + "{\"job_id\":\"" + jobId + "\",\"status\":\"started\",\"at\":" + seconds(s) + "}]";
                    if (post(base, "api/v1/events", "application/json", body) == 200) {
                        acked.add(new Acked(jobId, "queued", q * 1000));
                        acked.add(new Acked(jobId, "started", s * 1000));
                    }
                    continue;
                }
                String[] statuses = {"queued", "started", "complete"};
                for (String status : statuses) {
                    long when = at += 1;
                    String path = status.equals("queued") ? "api/v1/jobs" : "api/v1/jobs/" + jobId + "/" + status;
                    // Arguments unique to the job (["c3-17"]), for the filter after the restart.
                    String form = (status.equals("queued") ? "job_id=" + jobId + "&job_class=Crash&arguments=%5B%22" + jobId + "%22%5D&" : "")
                            + "at=" + seconds(when);
                    int code = post(base, path, "application/x-www-form-urlencoded", form);
                    if (code / 100 != 2) {
                        break;
                    }
                    acked.add(new Acked(jobId, status, when * 1000));
                }
            } catch (Exception e) {
                // The server died under this request: not acknowledged. Keep going until told to stop.
                if (!sending.get()) {
                    return;
                }
                SupervisorProcess.sleep(20);
            }
        }
    }

    private static String seconds(long millis) {
        return millis / 1000 + "." + String.format("%03d", millis % 1000);
    }

    private static int post(URI base, String path, String type, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
