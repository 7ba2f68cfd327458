package org.sidekiqsupervisor.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs Debian's {@code wrk} with one of the bundled Lua scripts (ticks.lua put before it) and reads its report. */
final class Wrk {
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern TICKS_START = Pattern.compile("(?m)^ticks-start (\\d+)$");
    private static final Pattern TICK = Pattern.compile("(?m)^tick (\\d+) (\\d+)$");

    /** What one run measured. Latencies are wrk's (closed loop: each connection waits for its answer). */
    record Result(double requestsPerSecond, long requests, double p50Ms, double p99Ms, long errors, Ticks ticks, String report) {
    }

    /**
     * The requests sent in each {@value #TICK_MS} ms of the run, as ticks.lua counts them: {@code counts} by bucket
     * (milliseconds of the system's monotonic clock / {@value #TICK_MS}), {@code startMs} the first request's time on
     * that clock; no counts and a start of -1 when the script printed none.
     */
    record Ticks(long startMs, NavigableMap<Long, Long> counts) {
        static final Ticks NONE = new Ticks(-1, new TreeMap<>());

        /** Two runs on one time line: {@code first}'s start, both runs' counts. */
        static Ticks joined(Ticks first, Ticks then) {
            if (first.startMs() < 0) {
                return then;
            }
            NavigableMap<Long, Long> counts = new TreeMap<>(first.counts());
            then.counts().forEach((bucket, n) -> counts.merge(bucket, n, Long::sum));
            return new Ticks(first.startMs(), counts);
        }
    }

    static final int TICK_MS = 100;

    private Wrk() {
    }

    static boolean installed() {
        try {
            return new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static Result run(URI base, String script, int threads, int connections, Duration duration, String... scriptArgs) {
        List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + duration.toSeconds() + "s",
                "--latency", "--timeout", "10s", "-s", extract(script).toString(), base.toString()));
        if (scriptArgs.length > 0) {
            command.add("--");
            command.addAll(List.of(scriptArgs));
        }
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String report = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("wrk failed:\n" + report);
            }
            return parse(report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Result parse(String report) {
        long errors = number(NON_2XX, report, 0);
        Matcher socket = SOCKET.matcher(report);
        if (socket.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(socket.group(i));
            }
        }
        return new Result(Double.parseDouble(find(RATE, report)), number(REQUESTS, report, 0), percentile(report, "50"),
                percentile(report, "99"), errors, ticks(report), report);
    }

    private static Ticks ticks(String report) {
        long start = number(TICKS_START, report, -1);
        if (start < 0) {
            return Ticks.NONE;
        }
        NavigableMap<Long, Long> counts = new TreeMap<>();
        Matcher tick = TICK.matcher(report);
        while (tick.find()) {
            counts.merge(Long.parseLong(tick.group(1)), Long.parseLong(tick.group(2)), Long::sum);
        }
        return new Ticks(start, counts);
    }

    private static double percentile(String report, String percent) {
        Matcher matcher = Pattern.compile("\\s" + percent + "%\\s+([\\d.]+)(us|ms|s)\\b").matcher(report);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + percent + "% latency in wrk's report:\n" + report);
        }
        double value = Double.parseDouble(matcher.group(1));
        return switch (matcher.group(2)) {
            case "us" -> value / 1000.0;
            case "s" -> value * 1000.0;
            default -> value;
        };
    }

    private static String find(Pattern pattern, String report) {
        Matcher matcher = pattern.matcher(report);
        if (!matcher.find()) {
            throw new IllegalStateException("wrk's report has no " + pattern + ":\n" + report);
        }
        return matcher.group(1);
    }

    private static long number(Pattern pattern, String report, long absent) {
        Matcher matcher = pattern.matcher(report);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : absent;
    }

    /** The script with ticks.lua before it, in a temporary file. */
    private static Path extract(String script) {
        try (InputStream ticks = Wrk.class.getResourceAsStream("/wrk/ticks.lua");
             InputStream in = Wrk.class.getResourceAsStream("/wrk/" + script)) {
            Path file = Files.createTempFile("wrk-", "-" + script);
            Files.write(file, ticks.readAllBytes());
            Files.write(file, in.readAllBytes(), java.nio.file.StandardOpenOption.APPEND);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
