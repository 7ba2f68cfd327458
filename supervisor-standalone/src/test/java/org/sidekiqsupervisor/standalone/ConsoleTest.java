package org.sidekiqsupervisor.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.standalone.ConsoleFixture.Run;

/**
 * The console commands (jobs, durations, restart) as a user runs them: tables, --json, exit codes. {@link ConsoleIT}
 * restarts jobs with a real redis-server.
 */
class ConsoleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every test here only reads the store, so it is recorded once. */
    @TempDir
    static Path dir;
    private static ConsoleFixture console;

    @BeforeAll
    static void store() {
        console = ConsoleFixture.create(dir);
    }

    @Test
    void jobs_prints_an_aligned_table_pages_through_the_store_and_writes_json_lines() throws Exception {
        Run table = console.runOnStore("jobs", "--status", "started", "--limit", "3");
        assertThat(table.code()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("JOB_ID").contains("CLASS").contains("LAST_ACTIVITY_UTC");
        // Aligned: every row's CLASS column starts where the header's does.
        int classColumn = lines.get(0).indexOf("CLASS");
        assertThat(lines.subList(1, 4)).allSatisfy(line -> assertThat(line.substring(classColumn)).startsWith("Mailer"));
        assertThat(lines.get(1)).startsWith("job1090 ");

        Run json = console.runOnStore("jobs", "--status", "complete", "--filter", "user-10", "--json", "--limit", "1000");
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

        Run all = console.runOnStore("jobs", "--limit", "1100", "--json");
        assertThat(all.out().lines()).hasSize(1100);
        assertThat(console.runOnStore("jobs", "--filter", "nobody").out()).contains("no jobs match");
    }

    @Test
    void durations_summarise_overall_and_per_class() throws Exception {
        Run table = console.runOnStore("durations", "--from", "started");
        assertThat(table.code()).isZero();
        assertThat(table.out()).contains("last start to complete:").contains("(all)").contains("Mailer").contains("ReportBuilder")
                .contains("50.0 ms").contains("2.00 s");
        JsonNode json = JSON.readTree(console.runOnStore("durations", "--json").out());
        assertThat(json.get("summary").get("count").asInt()).isEqualTo(990);
        assertThat(json.get("by_class").get("Mailer").get("count").asInt()).isEqualTo(440);
        assertThat(console.runOnStore("durations", "--class", "Nobody").out()).contains("no completed jobs match");
    }

    @Test
    void restart_needs_redis() {
        Run noRedis = console.runOnStore("restart", "--dry-run");
        assertThat(noRedis.code()).isEqualTo(2);
        assertThat(noRedis.err()).contains("restart needs Sidekiq's Redis");
    }

    @Test
    void every_command_has_help_and_bad_usage_or_an_unreachable_store_has_its_exit_code() {
        for (String command : List.of("serve", "jobs", "durations", "restart", "prune")) {
            Run help = console.run(command, "--help");
            assertThat(help.code()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Usage:").contains("--database-url");
        }
        assertThat(console.run("jobs", "--help").out()).contains("Exit codes");
        Run bad = console.runOnStore("jobs", "--status", "bogus");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--status must be one of");
        assertThat(console.runOnStore("durations", "--from", "yesterday").code()).isEqualTo(2);
        Run badJournal = console.runOnStore("jobs", "--ingest-journal", "sometimes");
        assertThat(badJournal.code()).isEqualTo(2);
        assertThat(badJournal.err()).contains("the ingest journal is off, no, everysec or always (got \"sometimes\")");
        assertThat(console.runOnStore("restart", "--scope", "everything", "--redis-url", "redis://127.0.0.1:1").code()).isEqualTo(2);
        Run unreachable = console.run("jobs", "--database-url", "jdbc:postgresql://127.0.0.1:1/none");
        assertThat(unreachable.code()).isEqualTo(1);
        assertThat(unreachable.err()).contains("error:");
    }
}
