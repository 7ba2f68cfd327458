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
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.SupervisorProcess;
import redis.clients.jedis.Jedis;

/**
 * The supervisor's cost against a big Sidekiq backlog: the standalone jar (-Xmx256m, H2 file store, {@code --lost-grace}
 * default) against a redis-server of the benchmark's own, holding what Sidekiq 7 writes. The supervisor records a
 * realistic set of jobs through its API, some running in live processes' work, some lost; then the API pages, job
 * lookups and the overview are timed (median of N each) first with no backlog, then with the backlog loaded, and each
 * is printed with its ratio to the first. In each phase, with the overview polled as its live refresh does, the
 * supervisor's Redis commands and bytes read per minute are reported, and SLOWLOG at 10 ms is read for its commands.
 */
final class BacklogBenchmark {
    /** The supervisor's jobs: finished, waiting in Sidekiq's queue, and started (most running, some lost). */
    static final int COMPLETE = 3_000;
    static final int QUEUED = 500;
    static final int STARTED = 50;
    /** Every fifth started job is in Sidekiq nowhere: lost. The rest run in the work of two live processes. */
    static final int LOST = STARTED / 5;
    static final List<String> PROCESSES = List.of("worker-1:7001:0a1b2c3d4e5f", "worker-2:7002:5f4e3d2c1b0a");
    /** The target: each request with the backlog within this many times its time without. */
    static final double TARGET_RATIO = 1.5;
    /** Unmeasured requests before the measured ones: with no backlog, enough for the JIT to compile the paths first. */
    static final int EMPTY_WARMUP = 20;
    static final int BACKLOG_WARMUP = 1;
    /** How long to wait for the supervisor to list the lost jobs as lost before measuring anyway. */
    static final Duration LOST_PATIENCE = Duration.ofMinutes(3);
    /** How long to wait for the looks over a store that knows the backlog. */
    static final Duration KNOWN_PATIENCE = Duration.ofMinutes(20);
    static final int MAX_EVENTS_PER_BATCH = 900;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One measured request: what it is called in the report, and its path. */
    record Probe(String name, String path) {
    }

    /** A request's median time, its failed answers, and the Redis commands and bytes the supervisor read per request. */
    record Timing(String name, double medianMs, int errors, double commandsPerRequest, double bytesPerRequest) {
    }

    /** The overview polled every interval for the window: page loads, and the supervisor's Redis use per minute. */
    record Dashboard(int pageLoads, int errors, double medianPageMs, double seconds, double commandsPerMinute,
                     double bytesPerMinute, Map<String, Long> commands) {
    }

    /** The supervisor's looks at Sidekiq over a phase (from its /metrics): how many, their mean time, entries read. */
    record Looks(double count, double meanSeconds, double entriesRead) {
    }

    /**
     * One phase: the requests, the dashboard, SLOWLOG over the phase, how many lost jobs the supervisor listed, its looks
     * at Sidekiq, and whether the job put back on its queue (as Sidekiq's shutdown does) was listed lost at the phase's end.
     */
    record Phase(String name, List<Timing> timings, Dashboard dashboard, List<RedisWatch.Slow> slowlog, int lostListed, Looks looks,
                 boolean requeuedListedLost) {
        long supervisorSlow() {
            return slowlog.stream().filter(RedisWatch.Slow::supervisors).count();
        }
    }

    /**
     * After the store learned the backlog (its queued jobs reported as the client middleware does): how long that took,
     * the looks that then walked a store of that many queued jobs, and whether the requeued job was listed lost.
     */
    record Known(long reported, double reportSeconds, Looks looks, boolean requeuedListedLost) {
    }

    /** @param known null when the store was not told the backlog */
    record Report(Phase empty, Phase backlog, long loaded, double loadSeconds, String redisMemory,
                  Map<String, String> supervisorConnections, Known known) {
    }

    private final SidekiqBacklog.Sizes sizes;
    private final int requests;
    private final Duration dashboardWindow;
    private final Duration dashboardInterval;
    private final PrintStream out;
    private final List<String> supervisorOptions;
    private final boolean reportBacklog;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param requests          measured requests per figure (the median is printed)
     * @param dashboardWindow   how long the overview is polled in each phase
     * @param dashboardInterval how often it is polled (the page's live refresh: 5 s)
     */
    BacklogBenchmark(SidekiqBacklog.Sizes sizes, int requests, Duration dashboardWindow, Duration dashboardInterval, PrintStream out,
                     boolean reportBacklog) {
        this(sizes, requests, dashboardWindow, dashboardInterval, out, List.of(), reportBacklog);
    }

    /**
     * @param supervisorOptions more options for the standalone jar (the smoke test shortens the grace with them)
     * @param reportBacklog     whether, after the two phases, the backlog's queued jobs are reported to the supervisor and
     *                          its looks over a store that knows them are measured
     */
    BacklogBenchmark(SidekiqBacklog.Sizes sizes, int requests, Duration dashboardWindow, Duration dashboardInterval, PrintStream out,
                     List<String> supervisorOptions, boolean reportBacklog) {
        this.supervisorOptions = List.copyOf(supervisorOptions);
        this.reportBacklog = reportBacklog;
        this.sizes = sizes;
        this.requests = requests;
        this.dashboardWindow = dashboardWindow;
        this.dashboardInterval = dashboardInterval;
        this.out = out;
    }

    Report run() throws Exception {
        out.printf("%nBacklog: the standalone jar (-Xmx256m, H2 file store, --lost-grace default) against a redis-server of its "
                        + "own (Redis %s), in Sidekiq 7's formats; %d cores, load average %s at the start%n", redisVersion(),
                Runtime.getRuntime().availableProcessors(), loadAverage());
        out.printf("the supervisor's jobs: %,d complete, %,d queued (waiting in queue:default), %,d started: %,d running in %d live "
                + "processes' work, %,d lost (in Sidekiq nowhere)%n", COMPLETE, QUEUED, STARTED, STARTED - LOST, PROCESSES.size(), LOST);
        out.printf("each request: median of %d, after %d (no backlog) or %d (backlog) unmeasured; dashboard: GET /sidekiq every %d s "
                        + "for %d s%n", requests, EMPTY_WARMUP, BACKLOG_WARMUP, dashboardInterval.toSeconds(), dashboardWindow.toSeconds());
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sidekiq-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        try (RedisServer redis = RedisServer.start();
             RedisWatch watch = new RedisWatch(redis.port());
             Jedis heartbeatConnection = watch.connect()) {
            long now = micros();
            BacklogJobs jobs = new BacklogJobs(now, client);
            jobs.writeSidekiqSide(watch.control(), now);
            heartbeat.scheduleAtFixedRate(() -> PROCESSES.forEach(identity -> watch.own(heartbeatConnection,
                    SidekiqBacklog.BEAT_COMMANDS, connection -> {
                        SidekiqBacklog.beat(connection, identity, micros());
                        return null;
                    })), SidekiqBacklog.HEARTBEAT_SECONDS, SidekiqBacklog.HEARTBEAT_SECONDS, TimeUnit.SECONDS);
            Path dir = Files.createTempDirectory("supervisor-backlog");
            List<String> options = new ArrayList<>(List.of("--port", "0", "--redis-url", redis.url()));
            options.addAll(supervisorOptions);
            try (SupervisorProcess server = SupervisorProcess.serve(dir, Map.of(), options.toArray(String[]::new))) {
                URI base = server.base();
                jobs.record(base);
                Phase empty = phase("no backlog", base, watch, jobs, EMPTY_WARMUP);

                long loadStart = System.nanoTime();
                long loaded = SidekiqBacklog.load(watch.control(), sizes, micros());
                double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
                String memory = watch.info("memory", "used_memory_human");
                out.printf("loaded %,d jobs in %.1f s (pipelined, %,d entries a command): %s; Redis used_memory %s%n", loaded,
                        loadSeconds, SidekiqBacklog.ENTRIES_PER_COMMAND, describe(sizes), memory);

                // Sidekiq's shutdown puts a job it could not finish back at the tail, where workers take the next one: behind
                // every job the look reads before it.
                jobs.requeueAtTheTail(watch.control());

                // The same store as with no backlog: what differs is Sidekiq's Redis alone.
                Phase backlog = phase("backlog", base, watch, jobs, BACKLOG_WARMUP);
                Known known = reportBacklog ? storeKnowsTheBacklog(base, jobs) : null;
                Report report = new Report(empty, backlog, loaded, loadSeconds, memory, watch.supervisorConnectionsSeen(), known);
                BacklogReport.print(out, report, describe(sizes), loadAverage(), dashboardInterval);
                return report;
            }
        } finally {
            heartbeat.shutdownNow();
        }
    }

    private static String describe(SidekiqBacklog.Sizes sizes) {
        String queues = sizes.queues().entrySet().stream().map(queue -> String.format("%,d in queue:%s", queue.getValue(), queue.getKey()))
                .collect(Collectors.joining(", "));
        return String.format("%s, %,d in retry, %,d in dead", queues, sizes.retries(), sizes.dead());
    }

    /** The last minute's load average, which says how much else shared the cores. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String redisVersion() {
        try {
            Process process = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
            String version = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            process.waitFor(10, TimeUnit.SECONDS);
            java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("v=(\\S+)").matcher(version);
            return matcher.find() ? matcher.group(1) : version.strip();
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    private Phase phase(String name, URI base, RedisWatch watch, BacklogJobs jobs, int warmup) throws Exception {
        int lostListed = awaitLost(name, base, jobs.lost);
        // SLOWLOG from here: the phase's requests and dashboard, not the load before it.
        watch.resetSlowlog();
        Map<String, Double> looksBefore = metrics(base);
        List<Timing> timings = new ArrayList<>();
        for (Probe probe : probes(jobs)) {
            timings.add(measure(base.resolve(probe.path()), probe.name(), warmup, watch));
            watch.supervisorClients();
        }
        Dashboard dashboard = dashboard(base.resolve("sidekiq"), watch);
        List<RedisWatch.Slow> slowlog = watch.slowlog();
        Looks looks = looksBetween(looksBefore, metrics(base));
        boolean requeuedLost = JSON.readTree(get(base.resolve("api/v1/jobs/" + jobs.requeued)).body()).path("lost").asBoolean(true);
        out.printf("%s: requests and dashboard measured; %d SLOWLOG entries over %d ms; %.0f looks at Sidekiq meanwhile%n", name,
                slowlog.size(), RedisWatch.SLOWLOG_MICROS / 1000, looks.count());
        return new Phase(name, timings, dashboard, slowlog, lostListed, looks, requeuedLost);
    }

    /**
     * Reports the backlog's queued jobs to the supervisor, as production's client middleware does, then waits for two
     * looks that began after that (up to {@link #KNOWN_PATIENCE}): what a look costs when the store holds the whole
     * backlog as queued jobs to check.
     */
    private Known storeKnowsTheBacklog(URI base, BacklogJobs jobs) throws Exception {
        long reportStart = System.nanoTime();
        long reported = jobs.reportBacklog(base, sizes);
        double reportSeconds = (System.nanoTime() - reportStart) / 1e9;
        out.printf("reported the queues' %,d jobs to the supervisor as queued in %.1f s (the batch endpoint, %d events a request)%n",
                reported, reportSeconds, MAX_EVENTS_PER_BATCH);
        long waitStart = System.nanoTime();
        // The look under way when the report ended began before it: measured are the two after it, which walk the store
        // that knows the backlog.
        Map<String, Double> before = looksAfter(base, metrics(base), 1, waitStart);
        Map<String, Double> after = looksAfter(base, before, 2, waitStart);
        Looks looks = looksBetween(before, after);
        boolean requeuedLost = JSON.readTree(get(base.resolve("api/v1/jobs/" + jobs.requeued)).body()).path("lost").asBoolean(true);
        out.printf("the store knows the backlog: %.0f looks in %.0f s after the report%n", looks.count(),
                (System.nanoTime() - waitStart) / 1e9);
        return new Known(reported, reportSeconds, looks, requeuedLost);
    }

    /** The metrics once {@code count} more looks than in {@code from} have ended, or when {@link #KNOWN_PATIENCE} is up. */
    private Map<String, Double> looksAfter(URI base, Map<String, Double> from, int count, long waitStart) throws Exception {
        double target = from.getOrDefault("supervisor_looks_seconds_count", 0.0) + count;
        Map<String, Double> now = from;
        while (now.getOrDefault("supervisor_looks_seconds_count", 0.0) < target && System.nanoTime() - waitStart < KNOWN_PATIENCE.toNanos()) {
            SupervisorProcess.sleep(2_000);
            now = metrics(base);
        }
        return now;
    }

    private static Looks looksBetween(Map<String, Double> before, Map<String, Double> after) {
        double looks = after.getOrDefault("supervisor_looks_seconds_count", 0.0) - before.getOrDefault("supervisor_looks_seconds_count", 0.0);
        double seconds = after.getOrDefault("supervisor_looks_seconds_sum", 0.0) - before.getOrDefault("supervisor_looks_seconds_sum", 0.0);
        double entries = after.getOrDefault("supervisor_looks_entries_read_total", 0.0)
                - before.getOrDefault("supervisor_looks_entries_read_total", 0.0);
        return new Looks(looks, looks == 0 ? Double.NaN : seconds / looks, looks == 0 ? 0 : entries / looks);
    }

    /** The supervisor's metrics without labels, by name. */
    private Map<String, Double> metrics(URI base) throws IOException, InterruptedException {
        Map<String, Double> values = new java.util.HashMap<>();
        for (String line : get(base.resolve("metrics")).body().split("\n")) {
            if (!line.startsWith("#") && !line.contains("{") && line.indexOf(' ') > 0) {
                values.put(line.substring(0, line.indexOf(' ')), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return values;
    }

    static List<Probe> probes(BacklogJobs jobs) {
        return List.of(new Probe("GET /api/v1/jobs", "api/v1/jobs"),
                new Probe("GET /api/v1/jobs?status=started", "api/v1/jobs?status=started"),
                new Probe("GET /api/v1/jobs?status=lost", "api/v1/jobs?status=lost"),
                new Probe("GET /api/v1/jobs/{id}, a running job", "api/v1/jobs/" + jobs.running.get(0)),
                new Probe("GET /api/v1/jobs/{id}, a lost job", "api/v1/jobs/" + jobs.lost.get(0)),
                new Probe("GET /sidekiq (the overview)", "sidekiq"));
    }

    /**
     * Waits until the supervisor lists every lost job as lost (at once where it decides from one look, up to
     * {@link #LOST_PATIENCE} where it must look again over the grace period), so that both phases time the same answers.
     */
    private int awaitLost(String phase, URI base, List<String> lost) throws Exception {
        long start = System.nanoTime();
        while (true) {
            HttpResponse<String> answer = get(base.resolve("api/v1/jobs?status=lost&limit=1000"));
            Set<String> listed = new HashSet<>();
            if (answer.statusCode() == 200) {
                JSON.readTree(answer.body()).path("jobs").forEach(job -> listed.add(job.path("job_id").asText()));
            }
            int found = (int) lost.stream().filter(listed::contains).count();
            double waited = (System.nanoTime() - start) / 1e9;
            if (found == lost.size()) {
                out.printf("%s: the supervisor lists all %d lost jobs as lost (after %.1f s)%n", phase, lost.size(), waited);
                return found;
            }
            if (waited > LOST_PATIENCE.toSeconds()) {
                out.printf("%s: the supervisor lists %d of the %d lost jobs as lost after %.0f s (status %d); measuring anyway%n",
                        phase, found, lost.size(), waited, answer.statusCode());
                return found;
            }
            SupervisorProcess.sleep(2_000);
        }
    }

    private Timing measure(URI uri, String name, int warmup, RedisWatch watch) throws Exception {
        for (int i = 0; i < warmup; i++) {
            get(uri);
        }
        double[] ms = new double[requests];
        int errors = 0;
        RedisWatch.Reading before = watch.reading();
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            HttpResponse<String> answer = get(uri);
            ms[i] = (System.nanoTime() - start) / 1e6;
            if (answer.statusCode() != 200) {
                errors++;
            }
        }
        RedisWatch.Usage used = watch.reading().supervisorSince(before);
        return new Timing(name, median(ms), errors, (double) used.commands() / requests, (double) used.bytesSent() / requests);
    }

    /** The overview's live refresh: a page load every interval, whether or not the one before has answered (as setInterval). */
    private Dashboard dashboard(URI overview, RedisWatch watch) throws Exception {
        int loads = (int) Math.max(1, dashboardWindow.toMillis() / dashboardInterval.toMillis());
        List<CompletableFuture<Double>> pages = new ArrayList<>();
        RedisWatch.Reading start = watch.reading();
        long startNanos = System.nanoTime();
        for (int i = 0; i < loads; i++) {
            long due = startNanos + i * dashboardInterval.toNanos();
            SupervisorProcess.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
            long sent = System.nanoTime();
            pages.add(client.sendAsync(request(overview), HttpResponse.BodyHandlers.ofString())
                    .thenApply(answer -> answer.statusCode() == 200 ? (System.nanoTime() - sent) / 1e6 : -1.0)
                    .exceptionally(failure -> -1.0));
            watch.supervisorClients();
        }
        SupervisorProcess.sleep(Math.max(0, (startNanos + dashboardWindow.toNanos() - System.nanoTime()) / 1_000_000));
        double[] ms = pages.stream().mapToDouble(CompletableFuture::join).toArray();
        RedisWatch.Reading end = watch.reading();
        RedisWatch.Usage used = end.supervisorSince(start);
        double seconds = end.secondsSince(start);
        double[] answered = Arrays.stream(ms).filter(value -> value >= 0).toArray();
        return new Dashboard(loads, ms.length - answered.length, answered.length == 0 ? Double.NaN : median(answered), seconds,
                used.commands() * 60 / seconds, used.bytesSent() * 60 / seconds, used.calls());
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return client.send(request(uri), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).header("Accept", "application/json, text/html").GET().build();
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static long micros() {
        return System.currentTimeMillis() * 1000L;
    }
}
