package org.sidekiqsupervisor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.NavigableMap;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** The time to 90 % of the steady throughput, from wrk's answers per 100 ms. */
class RampUpTest {
    /** {@code perBucket} requests in each 100 ms bucket from {@code first}, the run's first request 30 ms into it. */
    private static Wrk.Ticks run(long first, long... perBucket) {
        NavigableMap<Long, Long> counts = new TreeMap<>();
        for (int i = 0; i < perBucket.length; i++) {
            counts.put(first + i, perBucket[i]);
        }
        return new Wrk.Ticks(first * Wrk.TICK_MS + 30, counts);
    }

    private static long[] repeat(long value, int times) {
        long[] values = new long[times];
        java.util.Arrays.fill(values, value);
        return values;
    }

    private static long[] concat(long[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToLong(java.util.Arrays::stream).toArray();
    }

    @Test
    void the_time_is_to_the_end_of_the_first_two_seconds_with_nine_tenths_of_the_steady_median() {
        // Warm-up: 2 s at a tenth of the pace, then 2 s at 80 %, then at full pace (100 per bucket, 1,000/s).
        Wrk.Ticks warmUp = run(1000, concat(repeat(10, 20), repeat(80, 20), repeat(100, 30)));
        // Measured, a while later: 4 s at full pace with partial edges, which do not lower the median.
        Wrk.Ticks measured = run(1200, concat(new long[] {3}, repeat(100, 38), new long[] {1}));

        RampUp rampUp = RampUp.of(warmUp, measured);

        assertThat(rampUp.steadyPerSecond()).isEqualTo(1000);
        // A window k buckets into full pace holds (20 - k) x 80 + k x 100: 1,800 at 10 buckets, 5 s from the start.
        assertThat(rampUp.seconds()).isEqualTo(5.0);
        assertThat(rampUp.afterWarmUp()).isFalse();
        assertThat(rampUp.why()).isNull();
        assertThat(rampUp.shown()).isEqualTo("5.0");
    }

    @Test
    void a_server_still_slow_when_the_warm_up_ends_is_marked() {
        Wrk.Ticks warmUp = run(1000, repeat(10, 20));
        Wrk.Ticks measured = run(1030, repeat(100, 40));

        RampUp rampUp = RampUp.of(warmUp, measured);

        assertThat(rampUp.afterWarmUp()).isTrue();
        // The windows reaching back into the warm-up or the pause after it hold less: 1,800 only 18 buckets in.
        assertThat(rampUp.seconds()).isEqualTo(4.8);
        assertThat(rampUp.shown()).isEqualTo("4.8*");
    }

    @Test
    void without_counts_or_two_full_seconds_measured_there_is_no_time_and_a_reason() {
        assertThat(RampUp.of(Wrk.Ticks.NONE, run(1000, repeat(100, 30))).why()).contains("no counts");
        assertThat(RampUp.of(run(1000, repeat(100, 30)), run(1100)).why()).contains("no answers");
        RampUp tooShort = RampUp.of(run(1000, repeat(100, 30)), run(1100, repeat(100, 5)));
        assertThat(tooShort.seconds()).isNaN();
        assertThat(tooShort.why()).contains("too short");
        assertThat(tooShort.shown()).isEqualTo("n/a");
    }
}
