package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.Arrays;
import java.util.Random;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.DurationSummary;

class DurationHistogramTest {
    @Test
    void every_value_lies_in_its_bucket_and_bucket_order_is_value_order() {
        Random random = new Random(7);
        long[] values = new long[200_000];
        for (int i = 0; i < values.length; i++) {
            // Every magnitude from 1 µs to about 12 days, both signs, and the edges of the exact range.
            long magnitude = (long) Math.pow(2, random.nextDouble() * 40);
            values[i] = i < 600 ? i - 300 : random.nextBoolean() ? magnitude : -magnitude;
        }
        Arrays.sort(values);
        int previous = Integer.MIN_VALUE;
        for (long us : values) {
            int bucket = DurationHistogram.bucket(us);
            assertThat(us).as("bucket %d", bucket).isBetween(DurationHistogram.lower(bucket), DurationHistogram.upper(bucket) - 1);
            assertThat(bucket).isGreaterThanOrEqualTo(previous);
            previous = bucket;
            if (Math.abs(us) >= 128) {
                // A bucket is at most 1/64 of its values wide.
                assertThat(DurationHistogram.upper(bucket) - DurationHistogram.lower(bucket)).isLessThanOrEqualTo(Math.abs(us) / 64 + 1);
            }
        }
        assertThat(DurationHistogram.bucket(0)).isZero();
        assertThat(DurationHistogram.bucket(127)).isEqualTo(127);
        assertThat(DurationHistogram.bucket(-1)).isNotEqualTo(DurationHistogram.bucket(0));
        assertThat(DurationHistogram.bucket(Long.MIN_VALUE)).isLessThan(DurationHistogram.bucket(-1));
    }

    @Test
    void summaries_match_an_exact_computation_within_one_bucket() {
        Random random = new Random(11);
        check(random, 1, () -> 42_000);
        check(random, 2, () -> 100 + random.nextInt(2) * 900_000);
        check(random, 10, () -> 1_000 * (1 + random.nextInt(1000)));
        // Small values: a bucket each, so the summary is exact.
        check(random, 5_000, () -> random.nextInt(128));
        // Typical jobs: log-normal run times around 200 ms, and a few hours-long ones.
        check(random, 50_000, () -> (long) (200_000 * Math.exp(random.nextGaussian())));
        check(random, 20_000, () -> random.nextInt(100) == 0 ? 3_600_000_000L + random.nextInt(1_000_000_000) : 50_000 + random.nextInt(5_000));
        // Clock skew between the client and the worker: some queued-to-complete durations are negative.
        check(random, 20_000, () -> random.nextInt(2_000_000) - 200_000);
    }

    @Test
    void figures_are_the_sum_of_their_parts_and_deleted_jobs_drop_out() {
        DurationHistogram histogram = new DurationHistogram();
        // Two shards of one bucket, and a bucket whose jobs were all deleted (its rows read 0 and -0 in total).
        int bucket = DurationHistogram.bucket(500_000);
        histogram.add(bucket, 2, 1_000_100, 500_000L, 500_100L);
        histogram.add(bucket, 1, 500_050, 500_050L, 500_050L);
        int gone = DurationHistogram.bucket(9_000_000);
        histogram.add(gone, 1, 9_000_000, 9_000_000L, 9_000_000L);
        histogram.add(gone, -1, -9_000_000, null, null);
        DurationSummary summary = histogram.summary();
        assertThat(summary.count()).isEqualTo(3);
        assertThat(summary.meanMs()).isCloseTo(500.05, offset(1e-9));
        assertThat(summary.maxMs()).isEqualTo(500.1);
        assertThat(summary.p50Ms()).isBetween(500.0, 500.1);
        assertThat(new DurationHistogram().summary()).isEqualTo(DurationSummary.EMPTY);
    }

    @Test
    void merged_parts_summarise_as_one_histogram_of_every_value() {
        Random random = new Random(11);
        DurationHistogram whole = new DurationHistogram();
        DurationHistogram[] parts = {new DurationHistogram(), new DurationHistogram(), new DurationHistogram(), new DurationHistogram()};
        for (int i = 0; i < 30_000; i++) {
            long us = random.nextInt(10) == 0 ? -random.nextInt(5_000) : (long) (80_000 * Math.exp(random.nextGaussian()));
            // A tenth of the rows with their extremes unknown, as a row of a bucket whose jobs were partly deleted reads.
            Long min = random.nextInt(10) == 0 ? null : us;
            Long max = random.nextInt(10) == 0 ? null : us;
            whole.add(DurationHistogram.bucket(us), 1, us, min, max);
            parts[random.nextInt(parts.length)].add(DurationHistogram.bucket(us), 1, us, min, max);
        }
        // Merged in several orders, into an empty histogram and into one that has buckets of its own.
        DurationHistogram merged = new DurationHistogram();
        merged.addAll(parts[2]);
        merged.addAll(new DurationHistogram());
        merged.addAll(parts[0]);
        DurationHistogram rest = new DurationHistogram();
        rest.addAll(parts[3]);
        rest.addAll(parts[1]);
        merged.addAll(rest);
        assertThat(merged.summary()).isEqualTo(whole.summary());
        // Into itself: every figure doubled.
        rest.addAll(rest);
        assertThat(rest.summary().count()).isEqualTo(2 * (parts[3].summary().count() + parts[1].summary().count()));
        assertThat(merged.summary().count()).isEqualTo(30_000);
        // The parts merged from are left as they were.
        assertThat(parts[0].summary().count() + parts[1].summary().count() + parts[2].summary().count() + parts[3].summary().count())
                .isEqualTo(30_000);
    }

    /** Puts {@code n} values into a histogram (spread over shards, as the store does) and compares with exact figures. */
    private static void check(Random random, int n, LongSupplier values) {
        long[] us = new long[n];
        DurationHistogram histogram = new DurationHistogram();
        for (int i = 0; i < n; i++) {
            us[i] = values.getAsLong();
            histogram.add(DurationHistogram.bucket(us[i]), 1, us[i], us[i], us[i]);
        }
        Arrays.sort(us);
        DurationSummary summary = histogram.summary();
        assertThat(summary.count()).isEqualTo(n);
        assertThat(summary.meanMs()).isCloseTo(Arrays.stream(us).asDoubleStream().sum() / n / 1000.0, offset(1e-6));
        assertThat(summary.maxMs()).isEqualTo(us[n - 1] / 1000.0);
        assertPercentile(summary.p50Ms(), us, 0.5);
        assertPercentile(summary.p95Ms(), us, 0.95);
        assertPercentile(summary.p99Ms(), us, 0.99);
    }

    /** percentile_cont, and the widest bucket of the two values it lies between. */
    private static void assertPercentile(double actualMs, long[] sorted, double p) {
        double rank = p * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(sorted.length - 1, below + 1);
        double exact = sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
        double widest = Math.max(width(sorted[below]), width(sorted[above]));
        assertThat(actualMs * 1000.0).as("p%s of %d values", p * 100, sorted.length).isCloseTo(exact, offset(widest + 1e-6));
    }

    private static double width(long us) {
        int bucket = DurationHistogram.bucket(us);
        return DurationHistogram.upper(bucket) - DurationHistogram.lower(bucket) - 1;
    }
}
