package org.sidekiqsupervisor.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.testing.SupervisorProcess;

/** The runnable jar, as a user runs it. */
class StandaloneIT {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static HttpResponse<String> post(URI base, String path, String form, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int dashboardStatus(URI base, String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("sidekiq")).timeout(Duration.ofSeconds(20));
        if (credentials != null) {
            request.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(credentials.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)));
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static JsonNode get(URI base, String path) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void with_no_flags_it_serves_on_the_h2_file_default_and_keeps_jobs_across_a_restart() throws Exception {
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, Map.of(), "--port", "0")) {
            assertThat(supervisor.log()).contains("Sidekiq Supervisor 0.1.0 listening on http://127.0.0.1:")
                    .contains("store: H2 file ./supervisor-data/supervisor; redis: none");
            URI base = supervisor.base();
            String args = "arguments=%5B1%2C%22bob%40example.com%22%5D&job_class=HardWorker&queue=default";
            assertThat(post(base, "api/v1/jobs", args + "&job_id=b4a577edbccf1d805744efa9", null).statusCode()).isEqualTo(201);
            assertThat(get(base, "api/v1/jobs?status=queued").get("jobs")).hasSize(1);
            assertThat(post(base, "api/v1/jobs/b4a577edbccf1d805744efa9/started", args, null).statusCode()).isEqualTo(200);
            assertThat(get(base, "api/v1/jobs?status=started").get("jobs")).hasSize(1);
            assertThat(post(base, "api/v1/jobs/b4a577edbccf1d805744efa9/complete", args, null).statusCode()).isEqualTo(200);
            assertThat(get(base, "api/v1/jobs?status=complete&filter=bob").get("jobs")).hasSize(1);
            assertThat(get(base, "api/v1/durations").get("summary").get("count").asInt()).isEqualTo(1);
            HttpResponse<String> dashboard = CLIENT.send(HttpRequest.newBuilder(base.resolve("sidekiq/jobs/b4a577edbccf1d805744efa9"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(dashboard.statusCode()).isEqualTo(200);
            assertThat(dashboard.body()).contains("id=\"timeline\"").contains("bob@example.com");
            assertThat(supervisor.log()).contains("dashboard at http://127.0.0.1:");

            supervisor.terminate();
            assertThat(supervisor.awaitExit()).as(supervisor.log()).isZero();
            assertThat(supervisor.log()).contains("stopped; store closed");
        }
        assertThat(dir.resolve("supervisor-data/supervisor.mv.db")).exists();
        try (SupervisorProcess again = SupervisorProcess.serve(dir, Map.of(), "--port", "0")) {
            JsonNode job = get(again.base(), "api/v1/jobs/b4a577edbccf1d805744efa9");
            assertThat(job.get("status").asText()).isEqualTo("complete");
            assertThat(job.get("arguments").toString()).isEqualTo("[1,\"bob@example.com\"]");
            assertThat(job.get("events")).hasSize(3);
        }
    }

    @Test
    void every_acknowledged_event_survives_a_sigkill_on_the_h2_file_store() throws Exception {
        List<String> acknowledged = new ArrayList<>();
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, Map.of(), "--port", "0")) {
            for (int i = 0; i < 300; i++) {
                HttpResponse<String> response = post(supervisor.base(), "api/v1/jobs", "job_id=k" + i + "&arguments=%5B" + i + "%5D", null);
                if (response.statusCode() == 201) {
                    acknowledged.add("k" + i);
                }
            }
            // Killed right after the last answer: H2's background writer has had no time to run.
            supervisor.kill();
            supervisor.awaitExit();
        }
        assertThat(acknowledged).hasSize(300);
        try (SupervisorProcess again = SupervisorProcess.serve(dir, Map.of(), "--port", "0")) {
            for (String jobId : acknowledged) {
                assertThat(get(again.base(), "api/v1/jobs/" + jobId).get("status").asText()).isEqualTo("queued");
            }
        }
    }

    @Test
    void settings_come_from_the_environment_and_flags_override_them() throws Exception {
        Files.createDirectories(dir.resolve("elsewhere"));
        Map<String, String> env = Map.of("SUPERVISOR_PORT", "0", "SUPERVISOR_API_TOKEN", "env-token",
                "SUPERVISOR_DATABASE_URL", "jdbc:h2:file:./elsewhere/db");
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, env)) {
            assertThat(supervisor.log()).contains("store: H2 file ./elsewhere/db").contains("API token required")
                    .doesNotContain("env-token");
            assertThat(post(supervisor.base(), "api/v1/jobs", "job_id=t1", null).statusCode()).isEqualTo(401);
            assertThat(post(supervisor.base(), "api/v1/jobs", "job_id=t1", "env-token").statusCode()).isEqualTo(201);
        }
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, env, "--api-token", "flag-token")) {
            assertThat(post(supervisor.base(), "api/v1/jobs", "job_id=t2", "env-token").statusCode()).isEqualTo(401);
            assertThat(post(supervisor.base(), "api/v1/jobs", "job_id=t2", "flag-token").statusCode()).isEqualTo(201);
        }
        Map<String, String> dashboardEnv = Map.of("SUPERVISOR_PORT", "0", "SUPERVISOR_DASHBOARD_PASSWORD", "dash-pass",
                "SUPERVISOR_DATABASE_URL", "jdbc:h2:file:./elsewhere/db");
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, dashboardEnv, "--dashboard-user", "ops")) {
            assertThat(supervisor.log()).contains("dashboard sign-in required").doesNotContain("dash-pass");
            assertThat(dashboardStatus(supervisor.base(), null)).isEqualTo(401);
            assertThat(dashboardStatus(supervisor.base(), "admin:dash-pass")).isEqualTo(401);
            assertThat(dashboardStatus(supervisor.base(), "ops:dash-pass")).isEqualTo(200);
        }
    }

    @Test
    void redis_comes_from_redis_url_as_sidekiq_reads_it_unless_the_supervisor_has_its_own() throws Exception {
        // Nothing listens on port 1: the setting is what is checked here, and that no password leaks.
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, Map.of("REDIS_URL", "redis://:secret@127.0.0.1:1/15"),
                "--port", "0")) {
            assertThat(supervisor.log()).contains("redis: redis://127.0.0.1:1/15").doesNotContain("secret");
            HttpResponse<String> health = CLIENT.send(HttpRequest.newBuilder(supervisor.base().resolve("health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("redis://127.0.0.1:1/15").doesNotContain("secret");
        }
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, Map.of("REDIS_URL", "redis://127.0.0.1:1/15",
                "SUPERVISOR_REDIS_URL", "redis://127.0.0.1:1/14"), "--port", "0")) {
            assertThat(supervisor.log()).contains("redis: redis://127.0.0.1:1/14");
        }
    }

    @Test
    void bad_settings_stop_it_at_once_with_a_clear_message_and_exit_code() {
        try (SupervisorProcess bad = SupervisorProcess.launch(dir, Map.of(), "--port", "eighty")) {
            assertThat(bad.awaitExit()).isEqualTo(2);
            assertThat(bad.log()).contains("--port");
        }
        try (SupervisorProcess bad = SupervisorProcess.launch(dir, Map.of(), "--database-url", "jdbc:mysql://db/x")) {
            assertThat(bad.awaitExit()).isEqualTo(2);
            assertThat(bad.log()).contains("databaseUrl must start with jdbc:h2: or jdbc:postgresql:");
        }
        try (SupervisorProcess bad = SupervisorProcess.launch(dir, Map.of(), "--database-url",
                "jdbc:postgresql://127.0.0.1:1/none", "--database-password", "hunter2")) {
            assertThat(bad.awaitExit()).isEqualTo(1);
            assertThat(bad.log()).contains("error:").doesNotContain("hunter2");
        }
        try (SupervisorProcess help = SupervisorProcess.launch(dir, Map.of(), "serve", "--help")) {
            assertThat(help.awaitExit()).isZero();
            assertThat(help.log()).contains("--port", "SUPERVISOR_PORT", "--database-url", "--api-token", "--bind", "--redis-url",
                    "REDIS_URL", "--sidekiq-version", "--lost-grace", "--max-restarts", "--watchdog");
        }
        try (SupervisorProcess bad = SupervisorProcess.launch(dir, Map.of(), "--sidekiq-version", "5")) {
            assertThat(bad.awaitExit()).isEqualTo(2);
            assertThat(bad.log()).contains("sidekiqVersion must be 6, 7 or 8");
        }
        try (SupervisorProcess bad = SupervisorProcess.launch(dir, Map.of(), "--watchdog", "30")) {
            assertThat(bad.awaitExit()).isEqualTo(2);
            assertThat(bad.log()).contains("watchdogInterval needs redisUrl");
        }
    }
}
