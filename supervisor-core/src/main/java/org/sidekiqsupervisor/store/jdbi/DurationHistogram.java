package org.sidekiqsupervisor.store.jdbi;

import java.util.Map;
import java.util.TreeMap;

import org.sidekiqsupervisor.model.DurationSummary;

/**
 * Durations folded into log-linear buckets, as the store keeps them per job class so that a summary over millions of
 * jobs reads a few thousand rows instead of the jobs. Values below 128 µs have a bucket each; above, every power of two
 * is split into 64 buckets, so a bucket is at most 1/64 (1.6 %) of its values wide. Each bucket also knows the least and
 * greatest value put in it: a bucket of one job, and the extremes, are exact. Negative durations (clocks of the client
 * and the worker that disagree) mirror the positive ones, below bucket 0, so bucket order is value order.
 *
 * <p>Count and mean are exact; a percentile is within its bucket's width of the value percentile_cont would give.
 */
final class DurationHistogram {
    private static final int EXACT = 128;
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;

    /** One bucket: how many values, their sum, and the least and greatest (null when unknown). */
    record Bucket(long count, long totalUs, Long minUs, Long maxUs) {
    }

    private final TreeMap<Integer, Bucket> buckets = new TreeMap<>();

    /** The bucket of {@code us} microseconds. */
    static int bucket(long us) {
        if (us < 0) {
            // -1 is left unused so that -1 µs and 0 µs differ; Long.MIN_VALUE is clamped (no duration is that long).
            return -1 - bucket(us == Long.MIN_VALUE ? Long.MAX_VALUE : -us);
        }
        if (us < EXACT) {
            return (int) us;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(us);
        int mantissa = (int) (us >>> (exponent - SUB_BITS)) & (SUB - 1);
        return EXACT + (exponent - 7) * SUB + mantissa;
    }

    /** The least value of a non-negative bucket. */
    static long lower(int bucket) {
        if (bucket < 0) {
            return -upper(-1 - bucket) + 1;
        }
        if (bucket < EXACT) {
            return bucket;
        }
        int exponent = (bucket - EXACT) / SUB + 7;
        int mantissa = (bucket - EXACT) % SUB;
        return (long) (SUB + mantissa) << (exponent - SUB_BITS);
    }

    /** One more than the greatest value of the bucket. */
    static long upper(int bucket) {
        if (bucket < 0) {
            return -lower(-1 - bucket) + 1;
        }
        if (bucket < EXACT) {
            return bucket + 1L;
        }
        int exponent = (bucket - EXACT) / SUB + 7;
        int mantissa = (bucket - EXACT) % SUB;
        long width = 1L << (exponent - SUB_BITS);
        return ((long) (SUB + mantissa) << (exponent - SUB_BITS)) + width;
    }

    /** Adds a bucket's figures (as read from one row, or from another histogram); returns this histogram. */
    DurationHistogram add(int bucket, long count, long totalUs, Long minUs, Long maxUs) {
        buckets.merge(bucket, new Bucket(count, totalUs, minUs, maxUs), (a, b) -> new Bucket(a.count + b.count,
                a.totalUs + b.totalUs, least(a.minUs, b.minUs), greatest(a.maxUs, b.maxUs)));
        return this;
    }

    void addAll(DurationHistogram other) {
        other.buckets.forEach((bucket, figures) -> add(bucket, figures.count, figures.totalUs, figures.minUs, figures.maxUs));
    }

    /** Count, mean, p50, p95, p99 and max in milliseconds, as {@link DurationSummary} reports them. */
    DurationSummary summary() {
        TreeMap<Integer, Bucket> present = new TreeMap<>();
        long count = 0;
        long totalUs = 0;
        for (Map.Entry<Integer, Bucket> each : buckets.entrySet()) {
            // A bucket can read 0 (or less, per shard) when its jobs were deleted; the figures of the rest are what is left.
            if (each.getValue().count > 0) {
                present.put(each.getKey(), each.getValue());
                count += each.getValue().count;
                totalUs += each.getValue().totalUs;
            }
        }
        if (count == 0) {
            return DurationSummary.EMPTY;
        }
        int top = present.lastKey();
        double maxUs = clamp(present.get(top).maxUs, top, upper(top) - 1);
        return new DurationSummary(count, totalUs / (double) count / 1000.0, percentile(present, count, 0.5) / 1000.0,
                percentile(present, count, 0.95) / 1000.0, percentile(present, count, 0.99) / 1000.0, maxUs / 1000.0);
    }

    /** As percentile_cont: the value at rank p * (n - 1), interpolated between the two values around it. */
    private static double percentile(TreeMap<Integer, Bucket> present, long count, double p) {
        double rank = p * (count - 1);
        long below = (long) Math.floor(rank);
        double low = valueAt(present, below);
        if (rank == below) {
            return low;
        }
        return low + (rank - below) * (valueAt(present, below + 1) - low);
    }

    /**
     * The estimated k-th smallest value (from 0): its bucket's values are taken as spread evenly from the least to the
     * greatest the bucket holds (its bounds where those are unknown).
     */
    private static double valueAt(TreeMap<Integer, Bucket> present, long k) {
        long before = 0;
        for (Map.Entry<Integer, Bucket> each : present.entrySet()) {
            Bucket b = each.getValue();
            if (k < before + b.count) {
                int bucket = each.getKey();
                double low = clamp(b.minUs, bucket, lower(bucket));
                double high = Math.max(low, clamp(b.maxUs, bucket, upper(bucket) - 1));
                return b.count == 1 ? low : low + (high - low) * (k - before) / (double) (b.count - 1);
            }
            before += b.count;
        }
        throw new IllegalStateException("rank " + k + " beyond " + before);
    }

    /** A recorded extreme if it lies in the bucket (a deleted job can leave one outside), else the bucket's bound. */
    private static double clamp(Long recorded, int bucket, long bound) {
        return recorded != null && recorded >= lower(bucket) && recorded < upper(bucket) ? recorded : bound;
    }

    private static Long least(Long a, Long b) {
        return a == null ? b : b == null ? a : Math.min(a, b);
    }

    private static Long greatest(Long a, Long b) {
        return a == null ? b : b == null ? a : Math.max(a, b);
    }
}
