package org.sidekiqsupervisor.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.internal.Json;
import org.sidekiqsupervisor.testing.RealSidekiq;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;
import org.sidekiqsupervisor.testing.SupervisorProcess;

/**
 * The production middleware's reporter (examples/ruby/sidekiq_supervisor.rb) in real Ruby against the jar: events
 * and progress go through one queue, progress after the job's started, and only the latest progress per job; the
 * server middleware's started carries the job's hash as it was when the job started.
 */
@RequiresService(Service.RUBY)
class RubyReporterIT {
    private static final Path RUBY = Path.of(System.getProperty("ruby.dir", "ruby")).toAbsolutePath().normalize();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    @Test
    void progress_reported_from_a_job_reaches_the_supervisor_after_its_started() throws Exception {
        progressReachesTheSupervisorAfterItsStarted("ruby");
    }

    /** The same on JRuby, which Sidekiq 8 runs on here (Debian's Ruby, above, is what Sidekiq 6 and 7 run on). */
    @Test
    @RequiresService(Service.SIDEKIQ_8)
    void on_jruby_progress_reported_from_a_job_reaches_the_supervisor_after_its_started() throws Exception {
        progressReachesTheSupervisorAfterItsStarted(RealSidekiq.of(8).ruby().toString());
    }

    private void progressReachesTheSupervisorAfterItsStarted(String ruby) throws Exception {
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, Map.of("SUPERVISOR_API_TOKEN", "rb-token"), "--port", "0")) {
            String base = supervisor.base().toString();
            String script = String.join("\n",
                    // Loaded from the working directory: JRuby's require_relative has no base path in a -e script.
                    "require File.expand_path('sidekiq_supervisor')",
                    "r = SidekiqSupervisor::Reporter.new(url: ARGV[0], token: 'rb-token')",
                    "r.report('job_id' => 'rb1', 'status' => 'started', 'at' => Time.now.to_f, 'job_class' => 'Import',",
                    "         'queue' => 'default', 'arguments' => [1, 'x'])",
                    "r.progress('rb1', at: 10, total: 200, message: 'first')",
                    "r.progress('rb1', at: 40, message: 'rows <b>')",
                    "r.progress('nobody', at: 1)",
                    "exit(r.flush(10) ? 0 : 3)");
            Process reporter = new ProcessBuilder(ruby, "-e", script, base).directory(RUBY.toFile()).redirectErrorStream(true).start();
            String output = new String(reporter.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reporter.waitFor()).as(output).isZero();

            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "api/v1/jobs/rb1"))
                    .header("Authorization", "Bearer rb-token").timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode job = new ObjectMapper().readTree(response.body());
            assertThat(job.get("status").asText()).isEqualTo("started");
            // The two reports are merged: the later at and message, the earlier total.
            assertThat(job.get("progress").get("at").asLong()).isEqualTo(40);
            assertThat(job.get("progress").get("total").asLong()).isEqualTo(200);
            assertThat(job.get("progress").get("message").asText()).isEqualTo("rows <b>");
            assertThat(output).doesNotContain("refused");
        }
    }

    @Test
    void the_server_middleware_sends_the_jobs_hash_as_it_was_when_the_job_started() throws Exception {
        try (SupervisorProcess supervisor = SupervisorProcess.serve(dir, Map.of("SUPERVISOR_API_TOKEN", "rb-token"), "--port", "0")) {
            String base = supervisor.base().toString();
            String script = String.join("\n",
                    "require_relative 'sidekiq_supervisor'",
                    "SidekiqSupervisor.reporter = SidekiqSupervisor::Reporter.new(url: ARGV[0], token: 'rb-token')",
                    "job = { 'retry' => false, 'queue' => 'mail', 'tags' => ['billing'],",
                    "        'args' => [12345678901234567890123, \"\\u00fcn\\u00ef \\u{1F600}\", 1.1], 'class' => 'MailJob',",
                    "        'jid' => 'rbp1', 'created_at' => 1795887450.1, 'enqueued_at' => 1795887460.2, 'custom' => { 'k' => nil } }",
                    "started = JSON.generate(job)",
                    "begin",
                    "  SidekiqSupervisor::ServerMiddleware.new.call(Object.new, job, 'mail') { raise 'boom' }",
                    "rescue RuntimeError",
                    "  # What Sidekiq's retry does to the same hash after the middleware, while the started may still be buffered.",
                    "  job['retry_count'] = 0",
                    "  job['error_message'] = 'boom'",
                    "  job['args'] << 'changed'",
                    "end",
                    "puts 'STARTED ' + started",
                    "exit(SidekiqSupervisor.reporter.flush(10) ? 0 : 3)");
            Process ruby = new ProcessBuilder("ruby", "-e", script, base).directory(RUBY.toFile()).redirectErrorStream(true).start();
            String output = new String(ruby.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(ruby.waitFor()).as(output).isZero();
            String sent = output.lines().filter(line -> line.startsWith("STARTED ")).findFirst().orElseThrow().substring(8);

            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "api/v1/jobs/rbp1"))
                    .header("Authorization", "Bearer rb-token").timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode job = Json.MAPPER.readTree(response.body());
            assertThat(job.get("status").asText()).isEqualTo("failed");
            // Every key and value as the job had it when it started: the big integer, 1.1, Unicode, the custom key.
            assertThat(job.get("payload").toString()).isEqualTo(Json.MAPPER.readTree(sent).toString())
                    .contains("12345678901234567890123", "\"\u00fcn\u00ef \ud83d\ude00\"", "\"custom\":{\"k\":null}")
                    .doesNotContain("retry_count", "changed");
            assertThat(output).doesNotContain("refused");
        }
    }
}
