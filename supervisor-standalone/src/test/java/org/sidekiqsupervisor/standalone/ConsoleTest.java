package org.sidekiqsupervisor.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;

/** The console commands (jobs, durations, restart) as a user runs them: tables, --json, exit codes, progress. */
class ConsoleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.now().minusSeconds(3600);

    @TempDir
    Path dir;
    private String url;

    /** What a command printed, and its exit code. */
    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private String[] with(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--database-url", url));
        return all.toArray(String[]::new);
    }

    @BeforeEach
    void store() {
        url = "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath();
        try (Supervisor supervisor = Supervisor.builder().databaseUrl(url).build()) {
            List<JobEvent> events = new ArrayList<>();
            for (int i = 0; i < 1100; i++) {
                String id = "job" + i;
                String jobClass = i % 2 == 0 ? "Mailer" : "ReportBuilder";
                events.add(new JobEvent(id, JobStatus.QUEUED, T0.plusSeconds(i), jobClass, "default", "[\"user-" + i + "\"]", null, null,
                        null));
                events.add(new JobEvent(id, JobStatus.STARTED, T0.plusSeconds(i).plusMillis(100), null, null, null, null, null, null));
                if (i % 10 != 0) {
                    events.add(new JobEvent(id, JobStatus.COMPLETE, T0.plusSeconds(i).plusMillis(100 + (i % 2 == 0 ? 50 : 2000)), null,
                            null, null, null, null, null));
                }
            }
            for (int from = 0; from < events.size(); from += 500) {
                supervisor.jobManager().recordAll(events.subList(from, Math.min(events.size(), from + 500)));
            }
        }
    }

    @Test
    void jobs_prints_an_aligned_table_pages_through_the_store_and_writes_json_lines() throws Exception {
        Run table = run(with("jobs", "--status", "started", "--limit", "3"));
        assertThat(table.code()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("JOB_ID").contains("CLASS").contains("LAST_ACTIVITY_UTC");
        // Aligned: every row's CLASS column starts where the header's does.
        int classColumn = lines.get(0).indexOf("CLASS");
        assertThat(lines.subList(1, 4)).allSatisfy(line -> assertThat(line.substring(classColumn)).startsWith("Mailer"));
        assertThat(lines.get(1)).startsWith("job1090 ");

        Run json = run(with("jobs", "--status", "complete", "--filter", "user-10", "--json", "--limit", "1000"));
        assertThat(json.code()).isZero();
        List<JsonNode> jobs = new ArrayList<>();
        for (String line : json.out().lines().toList()) {
            jobs.add(JSON.readTree(line));
        }
        // user-10, user-100..109 and user-1000..1099 (111 jobs) less the twelve that never completed (every tenth).
        assertThat(jobs).isNotEmpty().allSatisfy(job -> {
            assertThat(job.get("status").asText()).isEqualTo("complete");
            assertThat(job.get("arguments").get(0).asText()).contains("user-10");
        });
        assertThat(jobs).hasSize(99);

        Run all = run(with("jobs", "--limit", "1100", "--json"));
        assertThat(all.out().lines()).hasSize(1100);
        assertThat(run(with("jobs", "--filter", "nobody")).out()).contains("no jobs match");
    }

    @Test
    void durations_summarise_overall_and_per_class() throws Exception {
        Run table = run(with("durations", "--from", "started"));
        assertThat(table.code()).isZero();
        assertThat(table.out()).contains("last start to complete:").contains("(all)").contains("Mailer").contains("ReportBuilder")
                .contains("50.0 ms").contains("2.00 s");
        JsonNode json = JSON.readTree(run(with("durations", "--json")).out());
        assertThat(json.get("summary").get("count").asInt()).isEqualTo(990);
        assertThat(json.get("by_class").get("Mailer").get("count").asInt()).isEqualTo(440);
        assertThat(run(with("durations", "--class", "Nobody")).out()).contains("no completed jobs match");
    }

    @Test
    void restart_needs_redis_and_restarts_lost_jobs_in_rounds_with_progress() throws Exception {
        Run noRedis = run(with("restart", "--dry-run"));
        assertThat(noRedis.code()).isEqualTo(2);
        assertThat(noRedis.err()).contains("restart needs Sidekiq's Redis");

        try (RedisServer redis = RedisServer.start(); FakeSidekiq sidekiq = new FakeSidekiq(redis, 7)) {
            sidekiq.liveProcess("host:1:abc", Map.of("t1", "job0"));
            Run plan = run(with("restart", "--dry-run", "--redis-url", redis.url()));
            assertThat(plan.code()).isZero();
            assertThat(plan.out()).contains("would restart 109 job(s)").contains("running=1");
            assertThat(sidekiq.redis().llen("queue:default")).isZero();

            Run real = run(with("restart", "--redis-url", redis.url(), "--limit", "150"));
            assertThat(real.code()).as(real.err()).isZero();
            assertThat(real.out()).contains("restarted 109 job(s)").contains("NEW_JOB_ID");
            assertThat(real.err()).contains("restarted 100 so far");
            assertThat(sidekiq.redis().llen("queue:default")).isEqualTo(109);

            JsonNode again = JSON.readTree(run(with("restart", "--redis-url", redis.url(), "--json")).out());
            assertThat(again.get("restarted")).isEmpty();
            assertThat(again.get("skipped")).isNotEmpty();
        }
    }

    @Test
    void every_command_has_help_and_bad_usage_or_an_unreachable_store_has_its_exit_code() {
        for (String command : List.of("serve", "jobs", "durations", "restart", "prune")) {
            Run help = run(command, "--help");
            assertThat(help.code()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Usage:").contains("--database-url");
        }
        assertThat(run("jobs", "--help").out()).contains("Exit codes");
        Run bad = run(with("jobs", "--status", "bogus"));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--status must be one of");
        assertThat(run(with("durations", "--from", "yesterday")).code()).isEqualTo(2);
        assertThat(run(with("restart", "--scope", "everything", "--redis-url", "redis://127.0.0.1:1")).code()).isEqualTo(2);
        Run unreachable = run("jobs", "--database-url", "jdbc:postgresql://127.0.0.1:1/none");
        assertThat(unreachable.code()).isEqualTo(1);
        assertThat(unreachable.err()).contains("error:");
    }
}
