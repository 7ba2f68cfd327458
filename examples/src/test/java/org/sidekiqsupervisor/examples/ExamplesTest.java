package org.sidekiqsupervisor.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExamplesTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void the_job_manager_session_prints_what_the_original_would() {
        String out = JobManagerFromCode.run("jdbc:h2:mem:" + UUID.randomUUID());
        assertThat(out).contains("queued_jobs: [a3]", "uncompleted_jobs: [a2]", "completed_jobs(bob): [a1]",
                "jobs(bob): [a1, a3]", "queued→complete a1: 290 ms", "started→complete a1: 250 ms",
                "first MailerJob page: [a1], more: true", "p50 run time: 250.0 ms over 1 jobs");
    }

    @Test
    void the_host_app_serves_its_own_api_and_the_supervisor_under_its_base_path(@TempDir Path dir) throws Exception {
        try (EmbeddedInJerseyApp app = new EmbeddedInJerseyApp("jdbc:h2:file:" + dir.resolve("db"), 0)) {
            HttpResponse<String> hello = CLIENT.send(HttpRequest.newBuilder(app.baseUri().resolve("hello")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(hello.body()).isEqualTo("hello from the host app");
            HttpResponse<String> queued = CLIENT.send(HttpRequest.newBuilder(app.baseUri().resolve("supervisor/api/v1/jobs"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("job_id=e1&job_class=HardWorker")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(queued.statusCode()).isEqualTo(201);
            assertThat(queued.headers().firstValue("Location")).hasValue(app.baseUri() + "supervisor/api/v1/jobs/e1");
            assertThat(app.supervisor().jobManager().queuedJobs(null)).extracting(j -> j.jobId()).containsExactly("e1");
        }
    }
}
