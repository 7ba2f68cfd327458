package org.sidekiqsupervisor.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobListing;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.TestClock;

/**
 * Query cost as the store grows: loads realistic jobs (most complete, some running, queued and failed; twenty
 * classes, three queues, e-mail addresses in the arguments) through the JobManager, then times what the API and
 * dashboard ask, at each size. Runs in this JVM, so -Xmx bounds the heap of the code the server runs.
 *
 * <p>The overview's activity (events per bucket, wait and run per class) is timed at every range the dashboard offers.
 * It reads rollups kept per time bucket of when events were received, so the load's batches are stamped as received at
 * times spread over the {@value #SPREAD_DAYS} days before the queries' "now" (every range then reads rollups from its
 * whole length), not all in the minutes the load takes.
 */
final class QueryBenchmark {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** How many days before {@link #NOW} the load's batches are received over. */
    static final int SPREAD_DAYS = 30;
    /**
     * The queries' now: the end of the days the load is received over. At an odd time of day (as most of a live
     * supervisor's are), so each range starts with a part-hour and part-day that the overview reads in minutes and hours.
     */
    private static final Instant NOW = T0.plus(Duration.ofDays(SPREAD_DAYS)).plus(Duration.ofHours(15).plusMinutes(47).plusSeconds(12));
    /** The dashboard's ranges (its {@code Range.ALL}): the name, how far back, and the chart's bucket. */
    private static final List<OverviewRange> RANGES = List.of(new OverviewRange("15m", Duration.ofMinutes(15), Duration.ofMinutes(1)),
            new OverviewRange("1h", Duration.ofHours(1), Duration.ofMinutes(1)),
            new OverviewRange("24h", Duration.ofHours(24), Duration.ofMinutes(15)),
            new OverviewRange("7d", Duration.ofDays(7), Duration.ofHours(2)),
            new OverviewRange("30d", Duration.ofDays(30), Duration.ofHours(12)));
    /** The classes the overview times, as the dashboard asks. */
    private static final int OVERVIEW_CLASSES = 50;
    private static final int RUNS = 15;
    private static final int WARM_RUNS = 3;

    private final PrintStream out;
    /** The supervisor's clock: what a batch is stamped as received at, set by the load; {@link #NOW} for the queries. */
    private final TestClock clock = new TestClock(NOW);
    private long batchesLoaded;
    private long touches;

    /** One of the dashboard's ranges. */
    private record OverviewRange(String name, Duration length, Duration bucket) {
    }

    QueryBenchmark(PrintStream out) {
        this.out = out;
    }

    void run(List<Integer> sizes, boolean h2File, boolean postgres) throws Exception {
        out.printf("%nQueries: median of %d runs (after %d warm-up runs), in ms; heap after GC in MB (max %d MB)%n", RUNS, WARM_RUNS,
                Runtime.getRuntime().maxMemory() / (1024 * 1024));
        out.println("(overview NAME: the activity the dashboard's overview reads over that range, at its chart's bucket, "
                + OVERVIEW_CLASSES + " classes; the load is received over the " + SPREAD_DAYS + " days before the queries)");
        StringBuilder header = new StringBuilder(String.format("%-11s %9s %9s %8s %12s %12s %9s %9s %10s %9s", "store", "jobs",
                "load ev/s", "counts", "rare filter", "broad filter", "next page", "by id", "summary", "started pg"));
        RANGES.forEach(range -> header.append(String.format(" %13s", "overview " + range.name())));
        out.println(header.append(String.format(" %8s %9s", "heap", "bytes/job")));
        if (h2File) {
            Path dir = Files.createTempDirectory("supervisor-queries");
            try (Supervisor h2 = Supervisor.builder().databaseUrl("jdbc:h2:file:" + dir.resolve("bench")).clock(clock).build()) {
                // The H2 file and, beside it, the arguments filter's index.
                Path file = dir.resolve("bench.mv.db");
                Path index = dir.resolve("bench.supervisor_arguments");
                measure("H2 file", h2.jobManager(), sizes, () -> { }, () -> fileSize(file) + directorySize(index));
            } finally {
                deleteTree(dir); // gigabytes at 10M jobs
            }
        }
        if (postgres) {
            out.println("(PostgreSQL: ANALYZE after each load, as autovacuum does within a minute of it; straight after a load of "
                    + "100,000 jobs into new tables, before any statistics, the planner sorted the whole table for a filtered page: "
                    + "39 ms instead of 0.07 ms)");
            try (PostgresDatabase database = PostgresDatabase.create();
                 Supervisor pg = Supervisor.builder().databaseUrl(database.url()).databaseUser(database.user()).clock(clock).build()) {
                measure("PostgreSQL", pg.jobManager(), sizes, () -> analyze(database), () -> databaseSize(database));
            }
        }
    }

    private static void analyze(PostgresDatabase database) {
        try (Connection connection = database.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("analyze");
        } catch (SQLException e) {
            throw new IllegalStateException("ANALYZE failed: " + e.getMessage(), e);
        }
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path directory) throws IOException {
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static long directorySize(Path directory) {
        try (var files = Files.list(directory)) {
            return files.mapToLong(QueryBenchmark::fileSize).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole database's size on disk (tables, indexes, TOAST), as {@code pg_database_size} counts it. */
    private static long databaseSize(PostgresDatabase database) {
        try (Connection connection = database.dataSource().getConnection(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("select pg_database_size(current_database())")) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("pg_database_size failed: " + e.getMessage(), e);
        }
    }

    /** @param storeBytes the store's size on disk, for the bytes a job takes (with its events, indexes and rollups) */
    private void measure(String store, JobManager jobs, List<Integer> sizes, Runnable afterLoad, LongSupplier storeBytes) {
        int loaded = 0;
        batchesLoaded = 0;
        double[] firstOverview = null;
        double firstRare = 0;
        for (int size : sizes) {
            long started = System.nanoTime();
            int events = load(jobs, loaded, size);
            double loadRate = events / ((System.nanoTime() - started) / 1e9);
            afterLoad.run();
            // The supervisor's hourly rollup pass, as it would have run during the load: ended buckets' shards folded.
            long foldStarted = System.nanoTime();
            long folded = jobs.maintenance().foldRollups();
            if (folded > 0) {
                out.printf("(%s, %d jobs: the rollup pass folded the shards of %d ended buckets in %.1f s)%n", store, size, folded,
                        (System.nanoTime() - foldStarted) / 1e9);
            }
            loaded = size;
            double counts = median(jobs, () -> jobs.queries().countByStatus());
            double rare = median(jobs, () -> jobs.queries().list(JobQuery.builder().filter("user4242@").limit(50).build(), false));
            JobListing first = jobs.queries().list(JobQuery.builder().filter("@example.com").limit(50).build(), false);
            double broad = median(jobs, () -> jobs.queries().list(JobQuery.builder().filter("@example.com").limit(50).build(), false));
            double next = median(jobs, () -> jobs.queries().list(JobQuery.builder().filter("@example.com").limit(50)
                    .cursor(first.nextCursor()).build(), false));
            String someId = jobId(size / 2);
            double byId = median(jobs, () -> jobs.queries().job(someId));
            double summary = median(jobs, () -> jobs.queries().durations(new DurationQuery(DurationFrom.STARTED, null, null, null, 0, null)));
            double started2 = median(jobs, () -> jobs.queries().list(JobQuery.builder().status(JobStatus.STARTED).limit(50).build(), false));
            // The load wrote into buckets long settled (it plays the past), where no live supervisor writes: forget what
            // the overview kept of them (the rollups' retention does, deleting nothing this far back), then time each
            // range's first read, which reads every bucket of it, before the median of the reads after.
            jobs.maintenance().pruneRollups(Duration.ofDays(3650));
            StringBuilder overview = new StringBuilder();
            StringBuilder firstReads = new StringBuilder();
            StringBuilder minuteLater = new StringBuilder();
            StringBuilder hourLater = new StringBuilder();
            double[] overviewMs = new double[RANGES.size()];
            for (int r = 0; r < RANGES.size(); r++) {
                OverviewRange range = RANGES.get(r);
                Supplier<Object> read = () -> jobs.queries().activity(clock.instant().minus(range.length()), range.bucket(),
                        OVERVIEW_CLASSES);
                firstReads.append(String.format(" %s %.2f", range.name(), timeOnce(read)));
                overviewMs[r] = median(jobs, read);
                overview.append(String.format(" %13.2f", overviewMs[r]));
                // A refresh after the range's edges moved a minute (what a dashboard left open does every minute), then
                // an hour (its start crossed an hour, and the current hour settled): what it reads again.
                clock.set(NOW.plus(Duration.ofMinutes(1)));
                minuteLater.append(String.format(" %s %.2f", range.name(), timeOnce(read)));
                clock.set(NOW.plus(Duration.ofHours(1)));
                hourLater.append(String.format(" %s %.2f", range.name(), timeOnce(read)));
                clock.set(NOW);
            }
            System.gc();
            long heapMb = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / (1024 * 1024);
            out.printf("%-11s %9d %9.0f %8.2f %12.2f %12.2f %9.2f %9.2f %10.2f %9.2f%s %8d %9d%n", store, size, loadRate, counts, rare,
                    broad, next, byId, summary, started2, overview, heapMb, storeBytes.getAsLong() / size);
            out.printf("(%s, %d jobs: the overview's first read of each range, before any of its settled buckets were kept, in ms:%s; "
                    + "after its medians, a read a minute later:%s; then an hour later:%s)%n", store, size, firstReads, minuteLater, hourLater);
            if (firstOverview == null) {
                firstOverview = overviewMs;
                firstRare = rare;
            } else {
                StringBuilder ratios = new StringBuilder();
                for (int r = 0; r < RANGES.size(); r++) {
                    ratios.append(String.format(" %s %.2fx", RANGES.get(r).name(), overviewMs[r] / firstOverview[r]));
                }
                out.printf("(%s, %d jobs against %d: overview%s (target: within 1.5x and 100 ms); rare filter %.2fx (target: "
                        + "within 50 ms))%n", store, size, sizes.get(0), ratios, rare / firstRare);
            }
        }
    }

    static String jobId(int i) {
        return String.format("b%023d", i);
    }

    /**
     * The events of the benchmark's i-th job: queued (one of twenty classes, three queues, an e-mail address among
     * 100,000 in its arguments), then mostly started and complete, some failed, some left queued or running.
     */
    static List<JobEvent> jobLife(int i) {
        List<JobEvent> life = new ArrayList<>(3);
        String id = jobId(i);
        String jobClass = "Job" + (i % 20);
        String queue = i % 10 == 0 ? "critical" : i % 3 == 0 ? "low" : "default";
        Instant queued = T0.plusMillis(i * 10L);
        life.add(new JobEvent(id, JobStatus.QUEUED, queued, jobClass, queue,
                "[" + i + ",\"user" + (i % 100_000) + "@example.com\",{\"plan\":\"basic\",\"retry\":" + (i % 5) + "}]",
                null, null, null));
        int kind = i % 20;
        if (kind != 0) {
            life.add(JobEvent.of(id, JobStatus.STARTED, queued.plusMillis(5 + i % 50)));
        }
        if (kind == 3) {
            life.add(new JobEvent(id, JobStatus.FAILED, queued.plusMillis(400), null, null, null, "RuntimeError", "boom", null));
        } else if (kind > 3) {
            life.add(JobEvent.of(id, JobStatus.COMPLETE, queued.plusMillis(100 + i % 900)));
        }
        return life;
    }

    /**
     * Loads jobs [from, to); returns how many events that took. Each batch is received at its own time in the
     * {@value #SPREAD_DAYS} days before {@link #NOW}, spread by a stride coprime with the minutes in them.
     */
    private int load(JobManager jobs, int from, int to) {
        List<JobEvent> batch = new ArrayList<>();
        int events = 0;
        for (int i = from; i < to; i++) {
            batch.addAll(jobLife(i));
            if (batch.size() >= 990) {
                events += batch.size();
                receiveNextBatch();
                jobs.recordAll(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            events += batch.size();
            receiveNextBatch();
            jobs.recordAll(batch);
        }
        clock.set(NOW);
        return events;
    }

    private void receiveNextBatch() {
        long minutes = Duration.ofDays(SPREAD_DAYS).toMinutes();
        clock.set(NOW.minus(Duration.ofDays(SPREAD_DAYS)).plus(Duration.ofMinutes(batchesLoaded++ * 7919 % minutes)).plusSeconds(30));
    }

    /** The time of one run of a query, in ms. */
    private static double timeOnce(Supplier<?> query) {
        long start = System.nanoTime();
        query.get();
        return (System.nanoTime() - start) / 1e6;
    }

    /**
     * The median time of a query. Before each run (untimed) a new job's queued, started and complete events are
     * written, as on a live supervisor: H2 would otherwise answer a repeated query from its result cache, which is valid
     * only while no table it reads changes, and these change every table a query here reads (the rollups and the
     * duration buckets too). A new job each time: the clock stands still at {@link #NOW} while the queries run, and the
     * same event again would be a duplicate, which changes nothing.
     */
    private double median(JobManager jobs, Supplier<?> query) {
        for (int i = 0; i < WARM_RUNS; i++) {
            query.get();
        }
        double[] millis = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            String touch = "touch" + touches++;
            Instant at = NOW.minusSeconds(1);
            jobs.recordAll(List.of(JobEvent.of(touch, JobStatus.QUEUED, at), JobEvent.of(touch, JobStatus.STARTED, at.plusMillis(1)),
                    JobEvent.of(touch, JobStatus.COMPLETE, at.plusMillis(2))));
            long start = System.nanoTime();
            query.get();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return millis[RUNS / 2];
    }
}
