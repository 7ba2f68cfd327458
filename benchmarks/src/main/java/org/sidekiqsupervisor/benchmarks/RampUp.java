package org.sidekiqsupervisor.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * How long a freshly started server takes to reach its steady throughput, from the answers wrk got in each
 * {@value Wrk#TICK_MS} ms of the warm-up and of the measured run after it (one time line: the system's monotonic clock).
 *
 * <p>Steady throughput is the median of the measured run's 2 s windows (sliding by a bucket; its first and last
 * buckets, partly outside the load, left out). The time is from the start of the bucket of the warm-up's first request
 * to the end of the first 2 s window that carried at least {@value #SHARE} of it, so 2.0 s is the earliest possible: 2 s,
 * not 1, because a slow answer (the batch endpoint at 256 connections takes seconds) makes 1 s windows lumpy. A window in
 * the measured run counts too ({@code afterWarmUp}): the warm-up was then too short for the server to get there.
 *
 * @param steadyPerSecond answers per second, steady; NaN when not known
 * @param seconds         time to {@value #SHARE} of it; NaN when not known ({@code why} tells)
 * @param afterWarmUp     whether it took longer than the warm-up
 * @param why             why there is no time, or null
 */
record RampUp(double steadyPerSecond, double seconds, boolean afterWarmUp, String why) {
    static final double SHARE = 0.9;
    static final int WINDOW_SECONDS = 2;
    private static final int WINDOW = WINDOW_SECONDS * 1000 / Wrk.TICK_MS;

    static RampUp of(Wrk.Ticks warmUp, Wrk.Ticks measured) {
        if (warmUp.startMs() < 0 || measured.startMs() < 0) {
            return notKnown("wrk printed no counts per " + Wrk.TICK_MS + " ms");
        }
        if (measured.counts().isEmpty()) {
            return notKnown("no answers in the measured run");
        }
        List<Long> steadyWindows = windows(measured.counts(), measured.counts().firstKey() + 1, measured.counts().lastKey() - 1);
        if (steadyWindows.isEmpty()) {
            return notKnown("the measured run was too short for a full " + WINDOW_SECONDS + " s window");
        }
        List<Long> sorted = new ArrayList<>(steadyWindows);
        Collections.sort(sorted);
        double steady = (double) sorted.get(sorted.size() / 2) / WINDOW_SECONDS;
        NavigableMap<Long, Long> all = new TreeMap<>(warmUp.counts());
        measured.counts().forEach((bucket, n) -> all.merge(bucket, n, Long::sum));
        long first = warmUp.startMs() / Wrk.TICK_MS;
        for (long end = first + WINDOW - 1; end <= all.lastKey(); end++) {
            if (sum(all, end - WINDOW + 1, end) >= SHARE * steady * WINDOW_SECONDS) {
                return new RampUp(steady, (end + 1 - first) * Wrk.TICK_MS / 1000.0, warmUp.counts().isEmpty() || end > warmUp.counts().lastKey(), null);
            }
        }
        return new RampUp(steady, Double.NaN, false, "never reached, not even in the measured run");
    }

    private static RampUp notKnown(String why) {
        return new RampUp(Double.NaN, Double.NaN, false, why);
    }

    /** The answers in each window that lies within buckets {@code from} to {@code to}. */
    private static List<Long> windows(NavigableMap<Long, Long> counts, long from, long to) {
        List<Long> windows = new ArrayList<>();
        for (long end = from + WINDOW - 1; end <= to; end++) {
            windows.add(sum(counts, end - WINDOW + 1, end));
        }
        return windows;
    }

    private static long sum(NavigableMap<Long, Long> counts, long from, long to) {
        return counts.subMap(from, true, to, true).values().stream().mapToLong(Long::longValue).sum();
    }

    /** The time in seconds, a star when it took longer than the warm-up, or "n/a". */
    String shown() {
        return Double.isNaN(seconds) ? "n/a" : String.format("%.1f%s", seconds, afterWarmUp ? "*" : "");
    }
}
