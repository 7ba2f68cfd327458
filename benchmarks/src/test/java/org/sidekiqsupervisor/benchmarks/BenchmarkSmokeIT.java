package org.sidekiqsupervisor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A small run of the benchmarks, so that their code stays working: seconds instead of minutes, tiny stores. The
 * figures are not looked at, only that every one is measured and printed without errors.
 */
class BenchmarkSmokeIT {

    @Test
    void the_ingest_benchmark_measures_every_scenario_against_the_no_op() throws Exception {
        if (!Wrk.installed()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("wrk is required under CI: apt-get install wrk");
            }
            Assumptions.abort("skipped: wrk is not installed (apt-get install wrk)");
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<IngestBenchmark.Row> rows;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            rows = new IngestBenchmark(Duration.ofSeconds(1), Duration.ofSeconds(2), 4, 1, out).run(true);
        }
        assertThat(rows).extracting(row -> row.scenario().name()).containsExactlyElementsOf(
                IngestBenchmark.SCENARIOS.stream().map(IngestBenchmark.Scenario::name).toList());
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.eventsPerSecond()).isPositive();
            assertThat(row.result().errors()).isZero();
            assertThat(row.result().p99Ms()).isPositive();
            // Where the CPU went, from /proc: the server's process always, PostgreSQL's processes in its scenarios.
            assertThat(row.perEvent(row.serverCpuUs())).isPositive();
            if (row.scenario().postgres()) {
                assertThat(row.perEvent(row.databaseCpuUs())).isPositive();
            } else {
                assertThat(row.databaseCpuUs()).isEqualTo(-1);
            }
        });
        String report = printed.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("x no-op", "server us/ev", "postgres us/ev", "seed endpoints, PostgreSQL",
                "start to first answered request (median of 1): ");
        assertThat(report).containsPattern("\\(median of 1\\): \\d+ ms on a new store, \\d+ ms on an existing one");
    }

    @Test
    void the_query_benchmark_prints_a_row_per_store_and_size() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            new QueryBenchmark(out).run(List.of(500, 1500), true);
        }
        String report = printed.toString(StandardCharsets.UTF_8);
        assertThat(report.lines().filter(line -> line.matches("(H2 file|PostgreSQL)\\s+(500|1500)\\s.*"))).hasSize(4);
    }

    /** A short soak on the H2 default: no errors, threads and descriptors flat, heap under the cap. */
    @Test
    void a_short_soak_stays_flat_with_no_errors() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        SoakBenchmark.Report report;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            report = new SoakBenchmark(Duration.ofSeconds(30), Duration.ofSeconds(5), 300, out).run(false);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(report.errors()).as(text).isZero();
        assertThat(report.sent()).as(text).isGreaterThan(300L * 25);
        assertThat(report.samples()).hasSizeGreaterThanOrEqualTo(5).allSatisfy(sample -> {
            assertThat(sample.heapKb()).isPositive();
            assertThat(sample.threads()).isPositive();
        });
        // Threads and descriptors must not grow even in 30 s. The heap is judged by the full soak over minutes: here H2's
        // page cache is still filling, which is growth but not a leak; it must only stay well under the cap.
        SoakBenchmark.Sample first = report.samples().get(0);
        SoakBenchmark.Sample last = report.samples().get(report.samples().size() - 1);
        assertThat(last.threads()).as(text).isLessThanOrEqualTo(first.threads() + 4);
        assertThat(last.fds()).as(text).isLessThanOrEqualTo(first.fds() + 16);
        assertThat(report.samples()).allSatisfy(sample -> assertThat(sample.heapKb()).isLessThan(200 * 1024));
    }

    @Test
    void flat_means_nothing_grows_past_its_margin() {
        List<SoakBenchmark.Sample> steady = List.of(new SoakBenchmark.Sample(5, 20_000, 90, 60, -1, 1, 0),
                new SoakBenchmark.Sample(10, 21_000, 90, 61, -1, 2, 0), new SoakBenchmark.Sample(15, 22_000, 91, 60, -1, 3, 0));
        assertThat(SoakBenchmark.flat(steady)).isTrue();
        List<SoakBenchmark.Sample> leaking = List.of(new SoakBenchmark.Sample(5, 20_000, 90, 60, -1, 1, 0),
                new SoakBenchmark.Sample(10, 30_000, 95, 70, -1, 2, 0), new SoakBenchmark.Sample(15, 60_000, 120, 90, -1, 3, 0));
        assertThat(SoakBenchmark.flat(leaking)).isFalse();
    }

    @Test
    void wrk_reports_are_read_with_their_units() {
        Wrk.Result result = Wrk.parse("""
                  Latency Distribution
                     50%  812.00us
                     75%    1.20ms
                     90%    2.00ms
                     99%    1.50s
                  1234 requests in 10.00s, 1.00MB read
                  Socket errors: connect 1, read 2, write 0, timeout 3
                  Non-2xx or 3xx responses: 4
                Requests/sec:    123.40
                """);
        assertThat(result.p50Ms()).isEqualTo(0.812);
        assertThat(result.p99Ms()).isEqualTo(1500.0);
        assertThat(result.requests()).isEqualTo(1234);
        assertThat(result.errors()).isEqualTo(10);
        assertThat(result.requestsPerSecond()).isEqualTo(123.4);
    }
}
