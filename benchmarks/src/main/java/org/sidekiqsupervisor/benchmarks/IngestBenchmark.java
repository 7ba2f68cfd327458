package org.sidekiqsupervisor.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
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
import java.util.UUID;

import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.SupervisorProcess;

/**
 * Ingest throughput: the standalone jar (-Xmx256m) driven over loopback by wrk with concurrent HTTP/1.1
 * connections, after a warm-up, for each store and endpoint, against the no-op endpoint measured in the same run at
 * the same number of connections; each scenario at each number of connections on a freshly started server, and how
 * long that server took to reach its steady throughput ({@link RampUp}).
 */
final class IngestBenchmark {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** One kind of load on one store; {@code serverArgs}: settings of the server beyond the store's. */
    record Scenario(String name, boolean postgres, String script, String basePath, int eventsPerRequest, List<String> serverArgs) {
        Scenario(String name, boolean postgres, String script, String basePath, int eventsPerRequest) {
            this(name, postgres, script, basePath, eventsPerRequest, List.of());
        }
    }

    /**
     * One scenario's measured run; {@code serverCpuUs} and {@code databaseCpuUs} are the CPU microseconds the
     * supervisor's process and the PostgreSQL server's processes used during it (-1 when not measured).
     */
    record Row(Scenario scenario, int connections, Wrk.Result result, long serverCpuUs, long databaseCpuUs, RampUp rampUp,
               long warmupSeconds, double jitMsPerSecond) {
        double eventsPerSecond() {
            return result.requestsPerSecond() * scenario.eventsPerRequest();
        }

        long events() {
            return result.requests() * scenario.eventsPerRequest();
        }

        /** CPU microseconds per event, or NaN when not measured. */
        double perEvent(long cpuUs) {
            return cpuUs < 0 || events() == 0 ? Double.NaN : (double) cpuUs / events();
        }
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("no-op: per-event endpoints without the store", false, "per-event.lua", "/api/v1/noop", 1),
            new Scenario("per-event endpoints, H2 file", false, "per-event.lua", "/api/v1", 1),
            // The same without the ingest journal: each group answered once H2 committed it, as before the journal.
            new Scenario("per-event endpoints, H2 file, journal off", false, "per-event.lua", "/api/v1", 1,
                    List.of("--ingest-journal", "off")),
            new Scenario("batch endpoint, H2 file", false, "batch.lua", "/api/v1", 99),
            new Scenario("per-event endpoints, PostgreSQL", true, "per-event.lua", "/api/v1", 1),
            new Scenario("batch endpoint, PostgreSQL", true, "batch.lua", "/api/v1", 99));

    /**
     * While the server's JIT compilers spend more than this share of a warm-up round compiling, the warm-up goes on:
     * on 2 cores they took 15-25 % of the machine for the first two to three minutes of the store's load (H2, Jdbi and
     * Jersey all being compiled), while throughput doubled; a fixed minute measured the store half-compiled against a
     * no-op long since compiled.
     */
    static final double JIT_SETTLED_SHARE = 0.05;
    /** A warm-up round: long enough that a few slow compilations do not look like a settled JIT. */
    static final Duration WARMUP_ROUND = Duration.ofSeconds(10);

    private final Duration warmup;
    private final Duration warmupRound;
    private final Duration maxWarmup;
    private final Duration duration;
    private final List<Integer> connections;
    private final PrintStream out;

    private final int starts;

    /**
     * @param connections every scenario runs at each of these numbers of concurrent connections
     * @param starts      how many times start-up is timed on each kind of store (the median is printed)
     * @param warmup      load before measuring, at least
     * @param warmupRound the warm-up goes on in rounds of this ({@link #WARMUP_ROUND} for measuring) until the server's
     *                    JIT compilers settle ({@link #JIT_SETTLED_SHARE})
     * @param maxWarmup   or this much load has passed
     */
    IngestBenchmark(Duration warmup, Duration warmupRound, Duration maxWarmup, Duration duration, List<Integer> connections, int starts,
            PrintStream out) {
        this.starts = starts;
        this.warmup = warmup;
        this.warmupRound = warmupRound;
        this.maxWarmup = maxWarmup.compareTo(warmup) < 0 ? warmup : maxWarmup;
        this.duration = duration;
        this.connections = List.copyOf(connections);
        this.out = out;
    }

    List<Row> run(boolean withPostgres) throws Exception {
        StartUp startUp = measureStartUp(starts);
        List<Row> rows = new ArrayList<>();
        for (int count : connections) {
            List<Row> table = new ArrayList<>();
            for (Scenario scenario : SCENARIOS) {
                if (!scenario.postgres() || withPostgres) {
                    table.add(measure(scenario, count));
                }
            }
            print(count, table);
            rows.addAll(table);
        }
        printNotes(startUp);
        return rows;
    }

    /** One scenario at {@code connections} on a freshly started server: its warm-up, then its measured run. */
    private Row measure(Scenario scenario, int connections) throws Exception {
        Path dir = Files.createTempDirectory("supervisor-bench");
        PostgresDatabase database = scenario.postgres() ? PostgresDatabase.create() : null;
        List<String> args = new ArrayList<>(List.of("--port", "0", "--noop-endpoint"));
        args.addAll(scenario.serverArgs());
        if (database != null) {
            args.addAll(List.of("--database-url", database.url(), "--database-user", database.user()));
        }
        long launched = System.nanoTime();
        try (SupervisorProcess server = SupervisorProcess.serve(dir, Map.of(), args.toArray(String[]::new))) {
            awaitHealthy(server.base(), launched);
            String run = UUID.randomUUID().toString().substring(0, 8);
            WarmUp warmed = warmUp(server.base(), scenario, connections, run);
            awaitDrained(server.base());
            long serverBefore = CpuTime.ofProcess(server.pid());
            long databaseBefore = database == null ? -1 : CpuTime.ofCommand("postgres");
            double jitStart = compilationMs(server.base());
            Wrk.Result result = Wrk.run(server.base(), scenario.script(), 2, connections, duration, "m" + run, scenario.basePath());
            double jitMs = compilationMs(server.base()) - jitStart;
            return new Row(scenario, connections, result, difference(serverBefore, CpuTime.ofProcess(server.pid())),
                    database == null ? -1 : difference(databaseBefore, CpuTime.ofCommand("postgres")),
                    RampUp.of(warmed.ticks(), result.ticks()), warmed.length().toSeconds(), jitMs / duration.toSeconds());
        } finally {
            if (database != null) {
                database.close();
            }
        }
    }

    /** The load before measuring: {@code ticks} on one time line, and how long it lasted. */
    private record WarmUp(Wrk.Ticks ticks, Duration length) {
    }

    /**
     * {@link #warmup} of load, then rounds of {@link #warmupRound} while the server's JIT compilers spend more than
     * {@link #JIT_SETTLED_SHARE} of a round compiling, until {@link #maxWarmup}.
     */
    private WarmUp warmUp(URI base, Scenario scenario, int connections, String run) throws IOException, InterruptedException {
        Wrk.Ticks ticks = Wrk.run(base, scenario.script(), 2, connections, warmup, "w" + run, scenario.basePath()).ticks();
        Duration length = warmup;
        double compiled = compilationMs(base);
        for (int round = 1; length.compareTo(maxWarmup) < 0; round++) {
            ticks = Wrk.Ticks.joined(ticks, Wrk.run(base, scenario.script(), 2, connections, warmupRound, "w" + round + run,
                    scenario.basePath()).ticks());
            length = length.plus(warmupRound);
            double before = compiled;
            compiled = compilationMs(base);
            if (compiled - before <= JIT_SETTLED_SHARE * warmupRound.toMillis()) {
                break;
            }
        }
        return new WarmUp(ticks, length);
    }

    /**
     * Waits until the server has recorded the requests the warm-up left in flight when wrk stopped: at 256 connections on
     * the batch endpoint they are 25,344 events, which a busy server would otherwise still be storing, for nobody, in the
     * measured run. Done when its events counter (/metrics) stands still for half a second, or after a minute.
     */
    private static void awaitDrained(URI base) throws IOException, InterruptedException {
        double before = eventsRecorded(base);
        for (int i = 0; i < 120; i++) {
            Thread.sleep(500);
            double now = eventsRecorded(base);
            if (now == before) {
                return;
            }
            before = now;
        }
    }

    /** The sum of the server's {@code supervisor_events_total} series. */
    private static double eventsRecorded(URI base) throws IOException, InterruptedException {
        return metric(base, "supervisor_events_total");
    }

    /** Milliseconds the server's JIT compilers have spent compiling ({@code jvm_compilation_time_ms_total}). */
    private static double compilationMs(URI base) throws IOException, InterruptedException {
        return metric(base, "jvm_compilation_time_ms_total");
    }

    /** The sum of a counter's series on the server's /metrics. */
    private static double metric(URI base, String name) throws IOException, InterruptedException {
        String metrics = CLIENT.send(HttpRequest.newBuilder(base.resolve("metrics")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        return metrics.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** Start to first answered request (median of {@code times} starts each): a new H2 store, then the same store again. */
    record StartUp(long newStoreMs, long existingStoreMs) {
    }

    static StartUp measureStartUp(int times) throws Exception {
        Path existing = Files.createTempDirectory("supervisor-start");
        long[] fresh = new long[times];
        long[] again = new long[times];
        for (int i = 0; i < times; i++) {
            fresh[i] = timeStart(Files.createTempDirectory("supervisor-start"));
            again[i] = timeStart(existing);
        }
        return new StartUp(median(fresh), median(again));
    }

    private static long timeStart(Path dir) throws Exception {
        long launched = System.nanoTime();
        try (SupervisorProcess server = SupervisorProcess.serve(dir, Map.of(), "--port", "0")) {
            return awaitHealthy(server.base(), launched);
        }
    }

    private static long difference(long before, long after) {
        return before < 0 || after < 0 ? -1 : after - before;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long awaitHealthy(URI base, long launchedNanos) throws IOException, InterruptedException {
        while (true) {
            try {
                HttpResponse<Void> health = CLIENT.send(HttpRequest.newBuilder(base.resolve("health")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (health.statusCode() == 200) {
                    return (System.nanoTime() - launchedNanos) / 1_000_000;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(10);
        }
    }

    private static String micros(double value) {
        return Double.isNaN(value) ? "-" : String.format("%.0f", value);
    }

    private void print(int connections, List<Row> rows) {
        out.printf("%nIngest: wrk, 2 threads, %d connections, HTTP/1.1 keep-alive over loopback; warm-up %d to %d s (until the "
                + "JIT settles), measured %d s; server -Xmx256m%n", connections, warmup.toSeconds(), maxWarmup.toSeconds(),
                duration.toSeconds());
        double noop = rows.get(0).eventsPerSecond();
        out.printf("%-44s %12s %9s %9s %9s %8s %14s %14s %9s %8s %8s%n", "scenario", "events/s", "x no-op", "p50 ms", "p99 ms", "errors",
                "server us/ev", "postgres us/ev", "90% at s", "warm s", "JIT ms/s");
        for (Row row : rows) {
            out.printf("%-44s %12.0f %9.2f %9.2f %9.2f %8d %14s %14s %9s %8d %8.0f%n", row.scenario().name(), row.eventsPerSecond(),
                    row.eventsPerSecond() / noop, row.result().p50Ms(), row.result().p99Ms(), row.result().errors(),
                    micros(row.perEvent(row.serverCpuUs())), micros(row.perEvent(row.databaseCpuUs())), row.rampUp().shown(),
                    row.warmupSeconds(), row.jitMsPerSecond());
        }
        for (Row row : rows) {
            if (row.rampUp().why() != null) {
                out.printf("90%% at s n/a, %s: %s%n", row.scenario().name(), row.rampUp().why());
            }
        }
    }

    private void printNotes(StartUp startUp) {
        out.println();
        out.println("us/ev: CPU microseconds per event of the supervisor's process and of the PostgreSQL server's processes "
                + "while measured; the machine has " + Runtime.getRuntime().availableProcessors() + " cores for them and wrk");
        out.printf("90%% at s: seconds from the first request of the warm-up (a freshly started server) to the end of the first "
                + "%d s window with at least 90%% of the steady throughput (the median %d s window of the measured run), from wrk's "
                + "answers per 100 ms; %d.0 is the earliest; * = only after the warm-up, in the measured run (and counting the pause "
                + "between them)%n",
                RampUp.WINDOW_SECONDS, RampUp.WINDOW_SECONDS, RampUp.WINDOW_SECONDS);
        out.printf("warm s: seconds of load before measuring: at least %d, then rounds of %d s while the server's JIT compilers "
                + "spent over %.0f%% of a round compiling, at most %d; JIT ms/s: their compiling per second while measured%n",
                warmup.toSeconds(), warmupRound.toSeconds(), JIT_SETTLED_SHARE * 100, maxWarmup.toSeconds());
        out.printf("start to first answered request (median of %d): %d ms on a new store, %d ms on an existing one%n",
                starts, startUp.newStoreMs(), startUp.existingStoreMs());
        out.println("targets: per-event endpoints >= 0.60x no-op on H2 file (with its journal, the default), >= 0.40x on "
                + "PostgreSQL; batch >= 25,000 events/s; per-event p99 <= 15 ms at 32 connections; start <= 2,000 ms");
    }
}
