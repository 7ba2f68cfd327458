package org.sidekiqsupervisor.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;
import org.sidekiqsupervisor.testing.SupervisorProcess;
import redis.clients.jedis.Jedis;

/** Two standalone supervisors on one PostgreSQL database, behind an imaginary load balancer. */
@RequiresService(Service.POSTGRES)
class MultiInstanceIT {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static HttpResponse<String> post(URI base, String path, String type, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(URI base, String path) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    @RequiresService(Service.REDIS_SERVER)
    void one_jobs_events_spread_over_two_instances_end_right_and_restarts_from_both_never_push_twice() throws Exception {
        try (PostgresDatabase database = PostgresDatabase.create(); RedisServer redis = RedisServer.start()) {
            String[] settings = {"--port", "0", "--database-url", database.url(), "--database-user", database.user(),
                    "--redis-url", redis.url(), "--lost-grace", "1", "--look-interval", "1"};
            Files.createDirectories(dir.resolve("a"));
            Files.createDirectories(dir.resolve("b"));
            try (SupervisorProcess a = SupervisorProcess.serve(dir.resolve("a"), Map.of(), settings);
                 SupervisorProcess b = SupervisorProcess.serve(dir.resolve("b"), Map.of(), settings)) {
                URI baseA = a.base();
                URI baseB = b.base();
                int jobs = 150;
                long t0 = Instant.now().minusSeconds(3600).getEpochSecond();
                // queued on A, started on B, complete on A, every request at once, in random order.
                List<Callable<Integer>> requests = new ArrayList<>();
                for (int i = 0; i < jobs; i++) {
                    String jid = "multi" + i;
                    long at = t0 + i;
                    requests.add(() -> post(baseA, "api/v1/jobs", "application/x-www-form-urlencoded",
                            "job_id=" + jid + "&job_class=MultiJob&queue=default&arguments=%5B" + at + "%5D&at=" + at).statusCode());
                    requests.add(() -> post(baseB, "api/v1/jobs/" + jid + "/started", "application/x-www-form-urlencoded",
                            "at=" + (at + 1)).statusCode());
                    requests.add(() -> post(baseA, "api/v1/jobs/" + jid + "/complete", "application/x-www-form-urlencoded",
                            "at=" + (at + 2)).statusCode());
                }
                Collections.shuffle(requests);
                ExecutorService pool = Executors.newFixedThreadPool(16);
                try {
                    for (Future<Integer> status : pool.invokeAll(requests)) {
                        assertThat(status.get(60, TimeUnit.SECONDS)).isIn(200, 201);
                    }
                } finally {
                    pool.shutdownNow();
                }

                JsonNode fromA = get(baseA, "api/v1/jobs?status=complete&limit=1000");
                JsonNode fromB = get(baseB, "api/v1/jobs?status=complete&limit=1000");
                assertThat(fromA.get("jobs")).hasSize(jobs);
                assertThat(fromA).isEqualTo(fromB);
                for (JsonNode job : fromA.get("jobs")) {
                    assertThat(job.get("attempts").asInt()).isEqualTo(1);
                    assertThat(job.get("queued_at").isNull()).isFalse();
                }
                JsonNode one = get(baseB, "api/v1/jobs/multi7");
                assertThat(one.get("events")).extracting(e -> e.get("status").asText()).containsExactly("queued", "started", "complete");
                assertThat(get(baseA, "api/v1/durations?from=queued").get("summary")).isEqualTo(
                        get(baseB, "api/v1/durations?from=queued").get("summary"));
                Jdbi jdbi = Jdbi.create(database.dataSource());
                long jobRows = jdbi.withHandle(h -> h.createQuery("select count(*) from supervisor_jobs").mapTo(Long.class).one());
                long eventRows = jdbi.withHandle(h -> h.createQuery("select count(*) from supervisor_job_events").mapTo(Long.class).one());
                assertThat(jobRows).isEqualTo(jobs);
                assertThat(eventRows).isEqualTo(3L * jobs);

                // Forty jobs that Sidekiq lost (their Redis has never heard of them); both supervisors restart at once.
                StringBuilder lost = new StringBuilder("[");
                for (int i = 0; i < 40; i++) {
                    lost.append(i == 0 ? "" : ",").append("{\"job_id\":\"lost").append(i).append("\",\"status\":\"started\",\"at\":")
                            .append(t0).append(",\"job_class\":\"LostJob\",\"queue\":\"default\",\"arguments\":[").append(i).append("]}");
                }
                assertThat(post(baseA, "api/v1/events", "application/json", lost.append("]").toString()).statusCode()).isEqualTo(200);
                // Both supervisors look at Sidekiq every second; the jobs are lost once looks 15 s apart missed them.
                await("the looks find the forty jobs lost").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                        .until(() -> get(baseB, "api/v1/jobs?status=lost&limit=1000").get("jobs").size() == 40);
                ExecutorService both = Executors.newFixedThreadPool(2);
                Set<String> restarted = new HashSet<>();
                int total = 0;
                try {
                    List<Callable<HttpResponse<String>>> restarts = List.of(
                            () -> post(baseA, "api/v1/jobs/restart", "application/x-www-form-urlencoded", ""),
                            () -> post(baseB, "api/v1/jobs/restart", "application/x-www-form-urlencoded", ""));
                    for (Future<HttpResponse<String>> answer : both.invokeAll(restarts)) {
                        HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                        for (JsonNode r : JSON.readTree(response.body()).get("restarted")) {
                            restarted.add(r.get("job_id").asText());
                            total++;
                        }
                    }
                } finally {
                    both.shutdownNow();
                }
                assertThat(total).isEqualTo(40);
                assertThat(restarted).hasSize(40);
                try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
                    List<String> queued = jedis.lrange("queue:default", 0, -1);
                    assertThat(queued).hasSize(40);
                    assertThat(new HashSet<>(queued)).hasSize(40);
                }
                assertThat(get(baseB, "api/v1/jobs?status=queued&job_class=LostJob&limit=1000").get("jobs")).hasSize(40);
            }
        }
    }

    @Test
    void the_prune_command_deletes_old_finished_jobs_from_the_shared_database() throws Exception {
        try (PostgresDatabase database = PostgresDatabase.create()) {
            String[] db = {"--database-url", database.url(), "--database-user", database.user()};
            long old = Instant.now().minus(Duration.ofDays(40)).getEpochSecond();
            try (SupervisorProcess server = SupervisorProcess.serve(dir, Map.of(), concat(new String[] {"--port", "0"}, db))) {
                String batch = "[{\"job_id\":\"old1\",\"status\":\"complete\",\"at\":" + old + "},"
                        + "{\"job_id\":\"old2\",\"status\":\"failed\",\"at\":" + old + "},"
                        + "{\"job_id\":\"oldrunning\",\"status\":\"started\",\"at\":" + old + "},"
                        + "{\"job_id\":\"fresh\",\"status\":\"complete\"}]";
                assertThat(post(server.base(), "api/v1/events", "application/json", batch).statusCode()).isEqualTo(200);
            }
            try (SupervisorProcess dryRun = SupervisorProcess.launch(dir, Map.of(),
                    concat(new String[] {"prune", "--older-than-days", "30", "--dry-run", "--json"}, db))) {
                assertThat(dryRun.awaitExit()).isZero();
                assertThat(dryRun.log()).contains("{\"dry_run\":true,\"would_delete\":2,\"older_than_days\":30}");
            }
            try (SupervisorProcess prune = SupervisorProcess.launch(dir, Map.of(),
                    concat(new String[] {"prune", "--older-than-days", "30"}, db))) {
                assertThat(prune.awaitExit()).isZero();
                assertThat(prune.log()).contains("deleted 2 finished job(s) older than 30 day(s)");
            }
            Jdbi jdbi = Jdbi.create(database.dataSource());
            List<String> left = jdbi.withHandle(h -> h.createQuery("select job_id from supervisor_jobs order by job_id")
                    .mapTo(String.class).list());
            assertThat(left).containsExactly("fresh", "oldrunning");
            try (SupervisorProcess bad = SupervisorProcess.launch(dir, Map.of(), concat(new String[] {"prune"}, db))) {
                assertThat(bad.awaitExit()).isEqualTo(2);
                assertThat(bad.log()).contains("--older-than-days");
            }
        }
    }

    private static String[] concat(String[] first, String[] second) {
        String[] all = new String[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
