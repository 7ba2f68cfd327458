package org.sidekiqsupervisor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.JobStore;
import org.sidekiqsupervisor.store.jdbi.WritePathBaseline;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/**
 * A small run of the benchmarks, so that their code stays working: seconds instead of minutes, tiny stores. The
 * figures are not looked at, only that every one is measured and printed without errors, and the soak judges leaks
 * and errors: how fast a busy machine goes, or how many samples it manages to take, decides nothing here.
 */
class BenchmarkSmokeIT {

    @Test
    @RequiresService({Service.WRK, Service.POSTGRES})
    void the_ingest_benchmark_measures_every_scenario_against_the_no_op() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<IngestBenchmark.Row> rows;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            // A 1 s warm-up, then one round of 2 s more: a server that has just started still compiles.
            rows = new IngestBenchmark(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(3), List.of(4, 256), 1,
                    out).run(true);
        }
        String report = printed.toString(StandardCharsets.UTF_8);
        List<String> names = IngestBenchmark.SCENARIOS.stream().map(IngestBenchmark.Scenario::name).toList();
        assertThat(rows).as(report).extracting(row -> row.connections() + " " + row.scenario().name()).containsExactlyElementsOf(
                java.util.stream.Stream.of(4, 256).flatMap(count -> names.stream().map(name -> count + " " + name)).toList());
        // At 4 connections every scenario is answered in its 3 s. At 256 a busy machine may answer none of the batch
        // endpoint's 25,344 events in flight within them (or within wrk's 10 s timeout): that its rows and ramp-up are
        // printed is judged there, not how fast it went.
        assertThat(rows).as(report).filteredOn(row -> row.connections() == 4).allSatisfy(row -> {
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
        assertThat(rows).as(report).allSatisfy(row -> {
            // The time to 90 % of the steady throughput: some seconds, or why not. Whether a busy machine ramps up fast
            // is not judged; with a 1 s warm-up it gets there only in the measured run (3 s: a full 2 s window within it).
            RampUp rampUp = row.rampUp();
            if (rampUp.why() == null) {
                assertThat(rampUp.seconds()).isGreaterThanOrEqualTo(RampUp.WINDOW_SECONDS);
                assertThat(rampUp.steadyPerSecond()).isPositive();
            } else {
                assertThat(rampUp.seconds()).isNaN();
                assertThat(report).contains("90% at s n/a, " + row.scenario().name() + ": " + rampUp.why());
            }
        });
        // The warm-up went on past its first second (the JIT compilers busy), up to its limit; the compilers' time while
        // measured comes from the server's jvm_compilation_time_ms_total, which a server 6 s old is still adding to.
        assertThat(rows).as(report).allSatisfy(row -> assertThat(row.warmupSeconds()).isEqualTo(3));
        assertThat(rows).as(report).anySatisfy(row -> assertThat(row.jitMsPerSecond()).isPositive());
        assertThat(report).contains("x no-op", "server us/ev", "postgres us/ev", "90% at s", "warm s", "JIT ms/s",
                "start to first answered request (median of 1): ");
        assertThat(report).contains("wrk, 2 threads, 4 connections", "wrk, 2 threads, 256 connections");
        for (String name : names) {
            // A row in each table: events/s, x no-op, p50, p99, errors, server us/ev, postgres us/ev, 90% at s, warm s, JIT ms/s.
            assertThat(report.lines().filter(line -> line.matches(java.util.regex.Pattern.quote(name)
                    + " +\\d+ +\\S+ +[\\d.]+ +[\\d.]+ +\\d+ +(\\d+|-) +(\\d+|-) +(\\d+\\.\\d\\*?|n/a) +\\d+ +\\d+"))).as(report).hasSize(2);
        }
        assertThat(report).containsPattern("\\(median of 1\\): \\d+ ms on a new store, \\d+ ms on an existing one");
    }

    @Test
    @RequiresService(Service.POSTGRES)
    void the_query_benchmark_prints_a_row_per_store_and_size() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            new QueryBenchmark(out).run(List.of(500, 1500), true, true);
        }
        String report = printed.toString(StandardCharsets.UTF_8);
        assertThat(report.lines().filter(line -> line.matches("(H2 file|PostgreSQL)\\s+(500|1500)\\s.*"))).hasSize(4);
        // Each range's first read, a read a minute later and one an hour later, per store and size.
        assertThat(report).containsPattern("first read of each range.*: 15m [\\d.]+ 1h [\\d.]+ 24h [\\d.]+ 7d [\\d.]+ 30d [\\d.]+; "
                + "after its medians, a read a minute later: 15m [\\d.]+ .*30d [\\d.]+; then an hour later: 15m [\\d.]+ .*30d [\\d.]+\\)");
        assertThat(report.lines().filter(line -> line.contains("an hour later: "))).hasSize(4);
    }

    @Test
    @RequiresService(Service.POSTGRES)
    void the_rollup_cost_benchmark_prints_both_stores_with_and_without_rollups() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<RollupCostBenchmark.Result> results;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            results = new RollupCostBenchmark(4 * RollupCostBenchmark.BATCH, 2, out).run(true);
        }
        String report = printed.toString(StandardCharsets.UTF_8);
        assertThat(results).as(report).extracting(RollupCostBenchmark.Result::store).containsExactly("H2 file", "PostgreSQL");
        assertThat(results).as(report).allSatisfy(result -> {
            assertThat(result.withRollups()).isPositive();
            assertThat(result.without()).isPositive();
        });
        assertThat(report.lines().filter(line -> line.matches("(H2 file|PostgreSQL)\\s+\\d+\\s+\\d+\\s+[\\d.]+x"))).hasSize(2);
    }

    /** The baseline the rollup cost benchmark measures against is the same store writing no rollups, and only that. */
    @Test
    void the_rollup_cost_baseline_writes_everything_but_the_rollups() throws Exception {
        for (boolean rollups : List.of(true, false)) {
            org.h2.jdbcx.JdbcDataSource dataSource = new org.h2.jdbcx.JdbcDataSource();
            dataSource.setURL("jdbc:h2:mem:baseline-" + rollups + ";DB_CLOSE_DELAY=-1");
            try (JobStore store = WritePathBaseline.open(dataSource, rollups)) {
                Instant now = Instant.now();
                store.record(QueryBenchmark.jobLife(5), now);
                assertThat(store.details(QueryBenchmark.jobId(5))).as("rollups %s", rollups)
                        .hasValueSatisfying(details -> assertThat(details.job().status()).isEqualTo(JobStatus.COMPLETE));
                Activity activity = store.activity(now.minus(Duration.ofHours(1)), now, Duration.ofMinutes(1), 10);
                assertThat(activity.eventCounts()).as("rollups %s", rollups).hasSize(rollups ? 3 : 0);
                assertThat(activity.classTimings()).as("rollups %s", rollups).hasSize(rollups ? 1 : 0);
                // Pending until the benchmark's fold (a row of counts, one of the wait, one of the run); the overview is unchanged by it.
                assertThat(WritePathBaseline.foldPending(store)).as("rollups %s", rollups).isEqualTo(rollups ? 3 : 0);
                assertThat(store.activity(now.minus(Duration.ofHours(1)), now, Duration.ofMinutes(1), 10)).isEqualTo(activity);
            }
        }
    }

    /**
     * The backlog benchmark at a tiny size with a 10 s dashboard window: every request answered and timed in both phases,
     * and every figure printed. What the figures are (times, ratios, Redis reads, SLOWLOG entries) is not judged.
     */
    @Test
    @RequiresService(Service.REDIS_SERVER)
    void the_backlog_benchmark_times_every_request_with_and_without_a_backlog_and_prints_every_figure() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        BacklogBenchmark.Report report;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            // No grace and a look every second: the lost jobs are found lost 15 s after the first look, not a minute.
            report = new BacklogBenchmark(new SidekiqBacklog.Sizes(2_000, 200, 20), 3, Duration.ofSeconds(10), Duration.ofSeconds(5), out,
                    List.of("--lost-grace", "0", "--look-interval", "1"), true).run();
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        List<String> requests = List.of("GET /api/v1/jobs", "GET /api/v1/jobs?status=started", "GET /api/v1/jobs?status=lost",
                "GET /api/v1/jobs/{id}, a running job", "GET /api/v1/jobs/{id}, a lost job", "GET /sidekiq (the overview)");
        assertThat(report.loaded()).as(text).isEqualTo(2_000 + 40 + 20 + 200 + 20);
        assertThat(report.known().reported()).as(text).isEqualTo(2_000 + 40 + 20);
        assertThat(report.known().looks().count()).as(text).isEqualTo(2);
        assertThat(report.known().requeuedListedLost()).as(text).isFalse();
        for (BacklogBenchmark.Phase phase : List.of(report.empty(), report.backlog())) {
            assertThat(phase.timings()).as(text).extracting(BacklogBenchmark.Timing::name).containsExactlyElementsOf(requests);
            assertThat(phase.timings()).as(text).allSatisfy(timing -> {
                assertThat(timing.medianMs()).isPositive();
                assertThat(timing.errors()).isZero();
            });
            assertThat(phase.dashboard().pageLoads()).as(text).isEqualTo(2);
            assertThat(phase.dashboard().errors()).as(text).isZero();
            assertThat(phase.lostListed()).as(text).isEqualTo(BacklogBenchmark.LOST);
            assertThat(phase.requeuedListedLost()).as(text).isFalse();
            assertThat(phase.looks().count()).as(text).isPositive();
        }
        for (String request : requests) {
            assertThat(text).containsPattern("(?m)^" + java.util.regex.Pattern.quote(request)
                    + " +[\\d.,]+ +[\\d.,]+ +[\\d.]+ +(met|NOT MET) +[\\d.,]+ / [\\d.,]+ +[\\d.,]+ / [\\d.,]+$");
        }
        assertThat(text).containsPattern("(?m)^commands per minute +[\\d.,]+ +[\\d.,]+ +([\\d.]+|NaN|Infinity)$");
        assertThat(text).containsPattern("(?m)^MB read per minute +[\\d.,]+ +[\\d.,]+ +([\\d.]+|NaN|Infinity)$");
        assertThat(text).contains("SLOWLOG over 10 ms, no backlog: ", "SLOWLOG over 10 ms, backlog: ",
                "the supervisor's connections seen in CLIENT LIST: ");
        assertThat(text).containsPattern("no supervisor command in SLOWLOG at 10 ms: (met|NOT MET) \\(\\d+\\)");
        assertThat(text).containsPattern("the supervisor's looks at Sidekiq .* \\d+ / \\d+ looks, mean [\\d.]+ / [\\d.]+ s");
    }

    /**
     * The Sidekiq pages benchmark at a tiny size: every page answered with the jid it must list, in both phases, and a
     * row printed per page. What the times are is not judged.
     */
    @Test
    @RequiresService(Service.REDIS_SERVER)
    void the_sidekiq_pages_benchmark_times_every_page_against_a_small_set_and_prints_a_row_each() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        SidekiqPagesBenchmark.Report report;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            report = new SidekiqPagesBenchmark(300, 3, out).run();
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(report.big()).as(text).hasSize(5).allSatisfy(timing -> {
            assertThat(timing.errors()).isZero();
            assertThat(timing.medianMs()).isPositive();
        });
        assertThat(report.baseline()).as(text).hasSize(5).allSatisfy(timing -> assertThat(timing.errors()).isZero());
        for (SidekiqPagesBenchmark.Timing timing : report.big()) {
            assertThat(text).containsPattern("(?m)^" + java.util.regex.Pattern.quote(timing.name())
                    + " +[\\d.]+ +[\\d.]+ +[\\d.]+ +[\\d.]+ +(met|NOT MET) +0$");
        }
    }

    /**
     * A short soak on the H2 default: no errors, threads and descriptors flat, heap under the cap. The soak samples
     * every 2 s for 30 s; on a busy machine a sample (a full GC in the server) can outlast the interval, and then the
     * next is taken late and the soak runs longer, so there are always all 15 samples to compare.
     */
    @Test
    void a_short_soak_stays_flat_with_no_errors() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        SoakBenchmark.Report report;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            report = new SoakBenchmark(Duration.ofSeconds(30), Duration.ofSeconds(2), 300, out).run(false);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(report.errors()).as(text).isZero();
        // That the load ran; how much of it a busy machine got through is not judged.
        assertThat(report.sent()).as(text).isPositive();
        assertThat(report.samples()).as(text).hasSize(15).allSatisfy(sample -> {
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
}
