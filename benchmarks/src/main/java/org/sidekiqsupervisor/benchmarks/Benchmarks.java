package org.sidekiqsupervisor.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import org.sidekiqsupervisor.testing.Service;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -Xmx256m -jar benchmarks/target/benchmarks.jar [ingest|queries|backlog|all|soak|startup|sidekiq-pages|rollups]}: prints
 * every figure the performance targets name, each ingest figure with its ratio to the no-op endpoint measured in the same
 * run, each backlog figure with its ratio to the same request with no backlog; {@code rollups} times the store's write
 * path with the overview's rollups against the same without them; {@code soak} runs the server at a steady rate for
 * minutes and prints its heap, threads, descriptors and connections over time; {@code sidekiq-pages} times the monitoring
 * app's retries and dead pages with a big set against a small one.
 */
@Command(name = "benchmarks", mixinStandardHelpOptions = true,
        description = "Ingest throughput over loopback (wrk), query cost at growing sizes, and the cost of a big Sidekiq backlog.")
public final class Benchmarks implements Callable<Integer> {
    @Parameters(index = "0", defaultValue = "all", description = "ingest, queries, backlog, all (default: the three), soak, startup, sidekiq-pages or rollups")
    String what;

    // 60 s at least: on 2 cores the JIT compiler still took a quarter to a third of the server's CPU 30 s into the
    // per-event endpoints' load. Not always enough: --max-warmup goes on while it still compiles.
    @Option(names = "--warmup", defaultValue = "60", description = "seconds of load at least before measuring (default ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--max-warmup", defaultValue = "300",
            description = "ingest: seconds of load at most before measuring; past --warmup it goes on while the server's JIT "
                    + "still compiles (default ${DEFAULT-VALUE})")
    int maxWarmupSeconds;

    @Option(names = "--duration", defaultValue = "30", description = "seconds measured per scenario (default ${DEFAULT-VALUE})")
    int durationSeconds;

    // 256: a fleet of Sidekiq processes, each with its own connections, as in production.
    @Option(names = "--connections", defaultValue = "32,256", split = ",",
            description = "ingest: every scenario at each of these numbers of concurrent connections (default ${DEFAULT-VALUE})")
    List<Integer> connections;

    @Option(names = "--sizes", defaultValue = "10000,100000,1000000", split = ",",
            description = "store sizes for the query benchmark (default ${DEFAULT-VALUE})")
    List<Integer> sizes;

    @Option(names = "--rollup-events", defaultValue = "2000000",
            description = "rollups: events each store writes with and without the rollups, measured (default ${DEFAULT-VALUE})")
    long rollupEvents;

    @Option(names = "--soak-minutes", defaultValue = "5", description = "soak: minutes per store (default ${DEFAULT-VALUE})")
    int soakMinutes;

    @Option(names = "--soak-rate", defaultValue = "600", description = "soak: events per second (default ${DEFAULT-VALUE})")
    int soakRate;

    @Option(names = "--no-postgres", description = "skip the PostgreSQL scenarios")
    boolean noPostgres;

    @Option(names = "--no-h2", description = "queries: skip the H2 store (a PostgreSQL run at a size whose H2 figures are known)")
    boolean noH2;

    @Option(names = "--backlog-queued", defaultValue = "1000000",
            description = "backlog: jobs in queue:default (queue:critical and queue:low get a 50th and a 100th more; default ${DEFAULT-VALUE})")
    long backlogQueued;

    @Option(names = "--backlog-retries", defaultValue = "100000", description = "backlog: jobs in the retry set (default ${DEFAULT-VALUE})")
    long backlogRetries;

    @Option(names = "--backlog-dead", defaultValue = "10000", description = "backlog: jobs in the dead set (default ${DEFAULT-VALUE})")
    long backlogDead;

    @Option(names = "--backlog-requests", defaultValue = "11",
            description = "backlog: measured requests per figure, the median printed (default ${DEFAULT-VALUE})")
    int backlogRequests;

    @Option(names = "--no-backlog-report",
            description = "backlog: skip the last part, which reports the backlog's queued jobs to the supervisor and times its "
                    + "looks over a store that knows them (slow: the batch endpoint at that store size)")
    boolean skipBacklogReport;

    @Option(names = "--pages-entries", defaultValue = "10000",
            description = "sidekiq-pages: entries in the retry set and in the dead set (default ${DEFAULT-VALUE})")
    long pagesEntries;

    @Option(names = "--pages-requests", defaultValue = "21",
            description = "sidekiq-pages: measured requests per page (default ${DEFAULT-VALUE})")
    int pagesRequests;

    @Option(names = "--dashboard-seconds", defaultValue = "60",
            description = "backlog: how long the overview is polled every 5 s in each phase (default ${DEFAULT-VALUE})")
    int dashboardSeconds;

    /**
     * Runs what the arguments ask for and exits: 0 done, 1 a soak that did not stay flat, had failed requests or had
     * too few samples to judge (or no wrk, or no redis-server), 2 bad usage.
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Benchmarks()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!Arrays.asList("ingest", "queries", "backlog", "all", "soak", "startup", "sidekiq-pages", "rollups").contains(what)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "ingest, queries, backlog, all, soak, startup, "
                    + "sidekiq-pages or rollups (got " + what + ")");
        }
        if (what.equals("rollups")) {
            if (rollupEvents < 1) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--rollup-events must be at least 1");
            }
            new RollupCostBenchmark(rollupEvents, 100, System.out).run(!noPostgres);
            return 0;
        }
        boolean backlog = what.equals("backlog") || what.equals("all");
        if (what.equals("sidekiq-pages")) {
            if (pagesEntries < 1 || pagesRequests < 1) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--pages-entries and --pages-requests must be at least 1");
            }
            if (Service.REDIS_SERVER.whyMissing().isPresent()) {
                System.err.println("the sidekiq-pages benchmark needs redis-server: " + Service.REDIS_SERVER.whyMissing().get());
                return 1;
            }
            new SidekiqPagesBenchmark(pagesEntries, pagesRequests, System.out).run();
            return 0;
        }
        if (connections.isEmpty() || connections.stream().anyMatch(count -> count < 2)) {
            // wrk runs 2 threads and wants at least a connection each.
            throw new CommandLine.ParameterException(new CommandLine(this), "--connections must each be at least 2");
        }
        if (backlogQueued < 0 || backlogRetries < 0 || backlogDead < 0 || backlogRequests < 1 || dashboardSeconds < 5) {
            throw new CommandLine.ParameterException(new CommandLine(this), "backlog sizes must not be negative, --backlog-requests "
                    + "must be at least 1 and --dashboard-seconds at least 5 (one page load)");
        }
        if (backlog && Service.REDIS_SERVER.whyMissing().isPresent()) {
            System.err.println("the backlog benchmark needs redis-server: " + Service.REDIS_SERVER.whyMissing().get() + "; "
                    + Service.REDIS_SERVER.howToGet());
            return 1;
        }
        if (what.equals("backlog")) {
            runBacklog();
            return 0;
        }
        if (what.equals("startup")) {
            IngestBenchmark.StartUp startUp = IngestBenchmark.measureStartUp(9);
            System.out.printf("start to first answered request (median of 9): %d ms on a new store, %d ms on an existing one%n",
                    startUp.newStoreMs(), startUp.existingStoreMs());
            return 0;
        }
        if (what.equals("soak")) {
            SoakBenchmark soak = new SoakBenchmark(Duration.ofMinutes(soakMinutes), Duration.ofSeconds(15), soakRate, System.out);
            boolean flat = soak.run(false).flat();
            if (!noPostgres) {
                flat &= soak.run(true).flat();
            }
            return flat ? 0 : 1;
        }
        if (!what.equals("queries")) {
            if (!Wrk.installed()) {
                System.err.println("wrk is not installed: apt-get install wrk");
                return 1;
            }
            new IngestBenchmark(Duration.ofSeconds(warmupSeconds), IngestBenchmark.WARMUP_ROUND, Duration.ofSeconds(maxWarmupSeconds),
                    Duration.ofSeconds(durationSeconds),
                    connections, 5, System.out)
                    .run(!noPostgres);
        }
        if (!what.equals("ingest")) {
            new QueryBenchmark(System.out).run(sizes, !noH2, !noPostgres);
        }
        if (backlog) {
            runBacklog();
        }
        return 0;
    }

    private void runBacklog() throws Exception {
        new BacklogBenchmark(new SidekiqBacklog.Sizes(backlogQueued, backlogRetries, backlogDead), backlogRequests,
                Duration.ofSeconds(dashboardSeconds), Duration.ofSeconds(5), System.out, !skipBacklogReport).run();
    }
}
