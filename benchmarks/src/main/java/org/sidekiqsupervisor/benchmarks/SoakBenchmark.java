package org.sidekiqsupervisor.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.SupervisorProcess;

/**
 * A bounded soak: the standalone jar (-Xmx256m) under a steady rate of events over loopback, one POST per event as
 * the original middlewares send them, for a few minutes, sampled every interval for heap after a full GC (jcmd), live
 * threads and open file descriptors (/proc), and, on PostgreSQL, the server's connections to its database. Flat
 * means: heap, threads, descriptors and connections at the end no higher than early in the run (within a small
 * margin), and no failed request.
 *
 * <p>The soak takes every sample its duration and interval call for, and never fewer than {@link #MIN_SAMPLES}: a
 * sample that falls due while the one before is still running (a full GC on a busy machine can outlast the interval)
 * is taken late rather than dropped, and the load goes on until the last one is taken. So how busy the machine is
 * changes when the samples are taken, not how many there are to judge.
 */
final class SoakBenchmark {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    /** Jobs in flight at most; a job that finds this many is counted as not sent (the server fell behind the rate). */
    static final int MAX_IN_FLIGHT = 256;
    /** Load before the first sample, not counted. */
    static final Duration WARMUP = Duration.ofSeconds(10);
    /** Samples needed to judge: the last is compared with the first third, which with fewer is the end or right beside it. */
    static final int MIN_SAMPLES = 3;

    record Sample(long second, long heapKb, int threads, int fds, int dbConnections, long sent, long errors) {
    }

    /** What the samples say about leaks, before failed requests are counted. */
    enum Verdict {
        /** Heap, threads, descriptors and connections at the end no higher than early on, within the margins. */
        FLAT,
        /** At least one of them ended higher than early on by more than its margin. */
        NOT_FLAT,
        /** Fewer than {@link #MIN_SAMPLES} samples: nothing to compare the end with, so no judgement either way. */
        NOT_ENOUGH_SAMPLES
    }

    /**
     * One soak's outcome.
     *
     * @param verdict what the samples say about leaks; {@link #flat()} also counts failed requests
     */
    record Report(List<Sample> samples, long sent, long errors, long skipped, Verdict verdict) {
        /** Whether the soak passed: the samples stayed flat and no request failed. */
        boolean flat() {
            return verdict == Verdict.FLAT && errors == 0;
        }
    }

    private final Duration duration;
    private final Duration interval;
    private final int eventsPerSecond;
    private final PrintStream out;

    SoakBenchmark(Duration duration, Duration interval, int eventsPerSecond, PrintStream out) {
        this.duration = duration;
        this.interval = interval;
        this.eventsPerSecond = eventsPerSecond;
        this.out = out;
    }

    Report run(boolean postgres) throws Exception {
        Path dir = Files.createTempDirectory("supervisor-soak");
        PostgresDatabase database = postgres ? PostgresDatabase.create() : null;
        List<String> args = new ArrayList<>(List.of("--port", "0"));
        if (database != null) {
            args.addAll(List.of("--database-url", database.url(), "--database-user", database.user()));
        }
        out.printf("%nSoak, %s: %d events/s (queued, started, complete per job) for %d s after a %d s warm-up, sampled every %d s "
                + "(heap after a full GC); server -Xmx256m%n", postgres ? "PostgreSQL" : "H2 file", eventsPerSecond, duration.toSeconds(),
                WARMUP.toSeconds(), interval.toSeconds());
        try (SupervisorProcess server = SupervisorProcess.serve(dir, Map.of(), args.toArray(String[]::new))) {
            return drive(server, database);
        } finally {
            if (database != null) {
                database.close();
            }
        }
    }

    private Report drive(SupervisorProcess server, PostgresDatabase database) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newFixedThreadPool(8))
                .connectTimeout(Duration.ofSeconds(5)).build();
        AtomicLong sent = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong skipped = new AtomicLong();
        AtomicLong jobs = new AtomicLong();
        // At most this many requests in flight: a steady rate, not an ever-growing backlog if the server slows down.
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long periodMicros = 3_000_000L / eventsPerSecond;
        URI base = server.base();
        ticker.scheduleAtFixedRate(() -> {
            long job = jobs.incrementAndGet();
            String id = "soak" + job;
            // The three events of one job, one after the other, as a job's life sends them.
            sendChain(client, base, id, inFlight, sent, errors, skipped);
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
        // Warm-up: the JIT compiles the hot paths; what happens meanwhile is not counted.
        Thread.sleep(WARMUP.toMillis());
        sent.set(0);
        errors.set(0);
        skipped.set(0);

        List<Sample> samples = new ArrayList<>();
        int planned = plannedSamples(duration, interval);
        long start = System.nanoTime();
        out.printf("%8s %10s %8s %6s %8s %10s %8s%n", "second", "heap MB", "threads", "fds", "db conns", "events", "errors");
        try {
            for (int taken = 0; taken < planned; taken++) {
                // Due on the interval from the start, not from the end of the last sample, so that slow samples do not
                // stretch the schedule; one that is already due is taken at once.
                long due = start + (taken + 1) * interval.toNanos();
                long early = due - System.nanoTime();
                if (early > 0) {
                    TimeUnit.NANOSECONDS.sleep(early);
                }
                Sample sample = new Sample((System.nanoTime() - start) / 1_000_000_000L, heapAfterGcKb(server.pid()),
                        threads(server.pid()), fds(server.pid()), database == null ? -1 : connections(database), sent.get(), errors.get());
                samples.add(sample);
                out.printf("%8d %10.1f %8d %6d %8s %10d %8d%n", sample.second(), sample.heapKb() / 1024.0, sample.threads(), sample.fds(),
                        sample.dbConnections() < 0 ? "-" : String.valueOf(sample.dbConnections()), sample.sent(), sample.errors());
            }
        } finally {
            ticker.shutdownNow();
            inFlight.acquire(MAX_IN_FLIGHT);
        }
        // Jobs not sent on time mean the server stalled for a moment (latency), not that it leaks or fails: reported,
        // not judged here.
        Report report = new Report(samples, sent.get(), errors.get(), skipped.get(), judge(samples));
        String verdict;
        if (report.flat()) {
            verdict = "flat: heap, threads, descriptors and connections at the end no higher than early on (margins: heap +16 MB, "
                    + "threads +4, fds +8)";
        } else if (report.verdict() == Verdict.NOT_ENOUGH_SAMPLES) {
            verdict = "NOT ENOUGH SAMPLES to judge (" + samples.size() + " of at least " + MIN_SAMPLES + ")";
        } else {
            verdict = "NOT FLAT";
        }
        out.printf("sent %d events, %d errors, %d jobs not sent because " + MAX_IN_FLIGHT + " were already in flight; %s%n", sent.get(), errors.get(),
                skipped.get(), verdict);
        return report;
    }

    /**
     * The samples a soak takes: one per interval over its duration, the last one at its end, and at least
     * {@link #MIN_SAMPLES}.
     */
    static int plannedSamples(Duration duration, Duration interval) {
        long perDuration = (duration.toNanos() + interval.toNanos() - 1) / interval.toNanos();
        return (int) Math.max(MIN_SAMPLES, perDuration);
    }

    private static void sendChain(HttpClient client, URI base, String id, Semaphore inFlight, AtomicLong sent, AtomicLong errors,
                                  AtomicLong skipped) {
        if (!inFlight.tryAcquire()) {
            skipped.incrementAndGet();
            return;
        }
        HttpRequest queued = form(base.resolve("api/v1/jobs"), "job_id=" + id + "&job_class=SoakJob&queue=default&arguments=%5B%22"
                + id + "%22%5D");
        client.sendAsync(queued, HttpResponse.BodyHandlers.discarding())
                .thenCompose(r -> counted(r, sent, errors, client.sendAsync(form(base.resolve("api/v1/jobs/" + id + "/started"), ""),
                        HttpResponse.BodyHandlers.discarding())))
                .thenCompose(r -> counted(r, sent, errors, client.sendAsync(form(base.resolve("api/v1/jobs/" + id + "/complete"), ""),
                        HttpResponse.BodyHandlers.discarding())))
                .whenComplete((r, failure) -> {
                    if (failure != null || r.statusCode() / 100 != 2) {
                        errors.incrementAndGet();
                    } else {
                        sent.incrementAndGet();
                    }
                    inFlight.release();
                });
    }

    private static <T> java.util.concurrent.CompletableFuture<T> counted(HttpResponse<Void> response, AtomicLong sent, AtomicLong errors,
                                                                         java.util.concurrent.CompletableFuture<T> next) {
        if (response.statusCode() / 100 != 2) {
            errors.incrementAndGet();
        } else {
            sent.incrementAndGet();
        }
        return next;
    }

    private static HttpRequest form(URI uri, String body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /**
     * Flat: the last sample no higher than the highest of the first third, within the margins; with fewer than
     * {@link #MIN_SAMPLES} there is no first third to compare with, and that is said rather than called a leak.
     */
    static Verdict judge(List<Sample> samples) {
        if (samples.size() < MIN_SAMPLES) {
            return Verdict.NOT_ENOUGH_SAMPLES;
        }
        List<Sample> early = samples.subList(0, Math.max(1, samples.size() / 3));
        Sample last = samples.get(samples.size() - 1);
        long heap = early.stream().mapToLong(Sample::heapKb).max().orElseThrow();
        int threads = early.stream().mapToInt(Sample::threads).max().orElseThrow();
        int fds = early.stream().mapToInt(Sample::fds).max().orElseThrow();
        int connections = early.stream().mapToInt(Sample::dbConnections).max().orElseThrow();
        boolean flat = last.heapKb() <= heap + 16 * 1024 && last.threads() <= threads + 4 && last.fds() <= fds + 8
                && last.dbConnections() <= connections;
        return flat ? Verdict.FLAT : Verdict.NOT_FLAT;
    }

    /** Heap in use after a full GC, from the JDK's jcmd (next to this JVM's java). */
    private static long heapAfterGcKb(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
        return used.find() ? Long.parseLong(used.group(1)) : -1;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        return output;
    }

    private static int threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring("Threads:".length()).trim());
            }
        }
        return -1;
    }

    private static int fds(long pid) throws IOException {
        try (var files = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return (int) files.count();
        }
    }

    private static int connections(PostgresDatabase database) throws Exception {
        String name = database.url().substring(database.url().lastIndexOf('/') + 1);
        try (Connection connection = DriverManager.getConnection(database.url(), database.user(), null);
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("select count(*) from pg_stat_activity where datname = '" + name + "'")) {
            rs.next();
            // Less this query's own connection.
            return rs.getInt(1) - 1;
        }
    }
}
