package org.sidekiqsupervisor.benchmarks;

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
import java.util.List;
import java.util.Map;

import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.SupervisorProcess;
import redis.clients.jedis.Jedis;

/**
 * The monitoring app's set pages at a size where a whole-set read would show: the standalone server (its H2 default)
 * over a redis-server of its own, each page timed (median and 95th percentile of N) first with a small retry set (the
 * baseline, in the same run) and then with a big one. The rare filter matches the entry Sidekiq lists last, so a page
 * that reads the set to find it reads all of it. A page that does not list the jid it should counts as an error.
 */
final class SidekiqPagesBenchmark {
    /** The target for the first page and a filtered page of the retries at 10,000 entries, in milliseconds. */
    static final double TARGET_MS = 200;
    static final int BASELINE_RETRIES = 25;
    private static final int WARMUP = 5;

    /** One page's timings at one size. */
    record Timing(String name, double medianMs, double p95Ms, int errors) {
    }

    /** Both phases' timings, page by page in the same order. */
    record Report(List<Timing> baseline, List<Timing> big) {
    }

    private final long retries;
    private final int requests;
    private final PrintStream out;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param retries  entries in the retry set and in the dead set in the measured phase
     * @param requests measured requests per page (after {@value #WARMUP} unmeasured)
     */
    SidekiqPagesBenchmark(long retries, int requests, PrintStream out) {
        this.retries = retries;
        this.requests = requests;
        this.out = out;
    }

    Report run() throws Exception {
        out.printf("%nSidekiq pages: the retries and dead pages with %,d entries each, against %d (baseline, same run); "
                + "median and p95 of %d requests after %d unmeasured%n", retries, BASELINE_RETRIES, requests, WARMUP);
        try (RedisServer redis = RedisServer.start(); Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            Path dir = Files.createTempDirectory("supervisor-sidekiq-pages");
            try (SupervisorProcess server = SupervisorProcess.serve(dir, Map.of(), "--port", "0", "--redis-url", redis.url())) {
                List<Timing> baseline = phase(server.base(), jedis, BASELINE_RETRIES);
                List<Timing> big = phase(server.base(), jedis, retries);
                Report report = new Report(baseline, big);
                print(report);
                return report;
            }
        }
    }

    private List<Timing> phase(URI base, Jedis jedis, long size) throws Exception {
        jedis.flushDB();
        SidekiqBacklog.load(jedis, new SidekiqBacklog.Sizes(0, size, size), System.currentTimeMillis() * 1000);
        // The retry set lists the soonest due first; the loader makes entry n due later as n grows, so the last entry
        // listed is the last loaded. Its jid is in no other entry.
        String rare = SidekiqBacklog.jid(10, size - 1);
        List<Timing> timings = new ArrayList<>();
        String first = SidekiqBacklog.jid(10, 0);
        String newestDead = SidekiqBacklog.jid(11, size - 1);
        timings.add(time(base, "GET /sidekiq/retries (first page)", "/sidekiq/retries", first));
        timings.add(time(base, "GET /sidekiq/retries?filter=<rare>", "/sidekiq/retries?filter=" + rare, rare));
        timings.add(time(base, "GET /sidekiq/retries?filter=<common>", "/sidekiq/retries?filter=ReadTimeout", first));
        timings.add(time(base, "GET /sidekiq/morgue (first page)", "/sidekiq/morgue", newestDead));
        timings.add(time(base, "GET /api/v1/sidekiq/retries?filter=<rare>", "/api/v1/sidekiq/retries?filter=" + rare, rare));
        return timings;
    }

    /** Times {@code path}; an answer that is not a 200 holding {@code expected} (a jid the page must list) is an error. */
    private Timing time(URI base, String name, String path, String expected) throws Exception {
        URI uri = base.resolve(path);
        for (int i = 0; i < WARMUP; i++) {
            get(uri);
        }
        double[] ms = new double[requests];
        int errors = 0;
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            HttpResponse<String> answer = get(uri);
            ms[i] = (System.nanoTime() - start) / 1e6;
            if (answer.statusCode() != 200 || !answer.body().contains(expected)) {
                errors++;
            }
        }
        Arrays.sort(ms);
        return new Timing(name, BacklogBenchmark.median(ms), ms[Math.min(ms.length - 1, (int) Math.ceil(ms.length * 0.95) - 1)],
                errors);
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void print(Report report) {
        out.printf("%-44s %12s %12s %12s %8s %9s %7s%n", "page", "base median", "median ms", "p95 ms", "ratio", "≤ 200 ms",
                "errors");
        for (int i = 0; i < report.big().size(); i++) {
            Timing small = report.baseline().get(i);
            Timing big = report.big().get(i);
            out.printf("%-44s %12.1f %12.1f %12.1f %8.2f %9s %7d%n", big.name(), small.medianMs(), big.medianMs(), big.p95Ms(),
                    big.medianMs() / small.medianMs(), big.p95Ms() <= TARGET_MS ? "met" : "NOT MET",
                    small.errors() + big.errors());
        }
    }
}
