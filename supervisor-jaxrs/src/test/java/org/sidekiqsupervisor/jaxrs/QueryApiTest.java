package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.jaxrs.TestServer.Reply;

/** The query API, mounting under a base path, the bearer token, and a store that stops answering. */
class QueryApiTest {

    @Test
    void jobs_page_by_cursor_and_filter_by_status_arguments_class_and_queue() {
        try (TestServer server = TestServer.start()) {
            StringBuilder batch = new StringBuilder("[");
            for (int i = 0; i < 120; i++) {
                batch.append(i == 0 ? "" : ",").append("{\"job_id\":\"j").append(i).append("\",\"status\":\"")
                        .append(i % 2 == 0 ? "complete" : "started").append("\",\"at\":").append(1795887450 + i)
                        .append(",\"job_class\":\"").append(i % 3 == 0 ? "Mailer" : "Report").append("\",\"queue\":\"")
                        .append(i % 4 == 0 ? "low" : "default").append("\",\"arguments\":[").append(i)
                        .append(",\"user_").append(i % 10).append("%\"]}");
            }
            server.post("/api/v1/events", "application/json", batch.append("]").toString());

            List<String> seen = new ArrayList<>();
            String cursor = "";
            int pages = 0;
            do {
                JsonNode page = server.get("/api/v1/jobs?limit=25" + (cursor.isEmpty() ? "" : "&cursor=" + cursor)).json();
                page.get("jobs").forEach(job -> seen.add(job.get("job_id").asText()));
                cursor = page.get("next_cursor").isNull() ? "" : page.get("next_cursor").asText();
                pages++;
            } while (!cursor.isEmpty());
            assertThat(pages).isEqualTo(5);
            assertThat(seen).hasSize(120).doesNotHaveDuplicates().startsWith("j119", "j118");

            assertThat(server.get("/api/v1/jobs?status=started&limit=1000").json().get("jobs")).hasSize(60);
            assertThat(server.get("/api/v1/jobs?status=complete&job_class=Mailer&limit=1000").json().get("jobs")).hasSize(20);
            assertThat(server.get("/api/v1/jobs?queue=low&limit=1000").json().get("jobs")).hasSize(30);
            // The filter is a literal substring: "_" and "%" match only themselves.
            assertThat(server.get("/api/v1/jobs?filter=user_3%25&limit=1000").json().get("jobs")).hasSize(12);
            assertThat(server.get("/api/v1/jobs?filter=user%25&limit=1000").json().get("jobs")).isEmpty();
            assertThat(server.get("/api/v1/jobs?since=2026-11-28T17:39:20Z&limit=1000").json().get("jobs")).hasSize(10);

            JsonNode durations = server.get("/api/v1/durations?from=started&job_class=Mailer&limit=5").json();
            assertThat(durations.get("jobs")).hasSize(0);
            assertThat(durations.get("summary").get("count").asInt()).isZero();
        }
    }

    @Test
    void mounted_under_a_base_path_every_link_carries_it() {
        try (TestServer server = TestServer.start("/ops/supervisor/", TestServer.memory())) {
            Reply created = server.form("/api/v1/jobs", "job_id=j1");
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.header("Location")).isEqualTo(server.base + "api/v1/jobs/j1");
            assertThat(server.get("/api/v1/jobs/j1").status()).isEqualTo(200);
            assertThat(server.get("/health").json().get("status").asText()).isEqualTo("ok");
        }
    }

    @Test
    void with_a_token_every_api_call_needs_it_and_health_stays_open() {
        try (TestServer server = TestServer.start("/", TestServer.memory(), HttpSettings.builder().apiToken("s3cret-token").build())) {
            Reply missing = server.form("/api/v1/jobs", "job_id=j1");
            BadInputTest.assertError(missing, 401, null);
            assertThat(missing.header("WWW-Authenticate")).startsWith("Bearer");
            Reply wrong = server.post("/api/v1/jobs", "application/x-www-form-urlencoded", "job_id=j1".getBytes(), "s3cret-tokeN");
            BadInputTest.assertError(wrong, 401, null);
            assertThat(wrong.body()).doesNotContain("s3cret");
            BadInputTest.assertError(server.get("/api/v1/jobs"), 401, null);
            assertThat(server.get("/api/v1/jobs", "s3cret-token").json().get("jobs")).isEmpty();
            assertThat(server.post("/api/v1/jobs", "application/x-www-form-urlencoded", "job_id=j1".getBytes(), "s3cret-token").status())
                    .isEqualTo(201);
            assertThat(server.get("/health").status()).isEqualTo(200);
        }
    }

    @Test
    void when_the_store_stops_answering_ingest_and_health_answer_503() {
        TestServer server = TestServer.start();
        try {
            assertThat(server.get("/health").json().get("store").asText()).isEqualTo("ok");
            server.supervisor.close();
            Reply ingest = server.form("/api/v1/jobs", "job_id=j1");
            BadInputTest.assertError(ingest, 503, null);
            assertThat(ingest.header("Retry-After")).isEqualTo("5");
            assertThat(server.get("/health").status()).isEqualTo(503);
            assertThat(server.get("/health").json().get("status").asText()).isEqualTo("unavailable");
            BadInputTest.assertError(server.get("/api/v1/jobs"), 503, null);
        } finally {
            server.server.shutdownNow();
        }
    }
}
