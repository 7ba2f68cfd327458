package org.sidekiqsupervisor.store.jdbi;

import java.util.Arrays;

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

    /** Figures of a bucket whose least (or greatest) value is unknown. */
    private static final long NO_MIN = Long.MAX_VALUE;
    private static final long NO_MAX = Long.MIN_VALUE;

    // The buckets that hold anything, in bucket order, as parallel arrays: merging two histograms is one pass over both,
    // with no object per bucket. The overview merges a few dozen kept histograms per class on each refresh (thousands of
    // buckets at millions of jobs), which as a map of boxed buckets took milliseconds.
    private int size;
    private int[] buckets = new int[8];
    private long[] counts = new long[8];
    private long[] totalsUs = new long[8];
    private long[] minsUs = new long[8];
    private long[] maxesUs = new long[8];

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
        int at = Arrays.binarySearch(buckets, 0, size, bucket);
        long min = minUs == null ? NO_MIN : minUs;
        long max = maxUs == null ? NO_MAX : maxUs;
        if (at >= 0) {
            counts[at] += count;
            totalsUs[at] += totalUs;
            minsUs[at] = Math.min(minsUs[at], min);
            maxesUs[at] = Math.max(maxesUs[at], max);
            return this;
        }
        int insert = -at - 1;
        if (size == buckets.length) {
            grow(size * 2);
        }
        System.arraycopy(buckets, insert, buckets, insert + 1, size - insert);
        System.arraycopy(counts, insert, counts, insert + 1, size - insert);
        System.arraycopy(totalsUs, insert, totalsUs, insert + 1, size - insert);
        System.arraycopy(minsUs, insert, minsUs, insert + 1, size - insert);
        System.arraycopy(maxesUs, insert, maxesUs, insert + 1, size - insert);
        buckets[insert] = bucket;
        counts[insert] = count;
        totalsUs[insert] = totalUs;
        minsUs[insert] = min;
        maxesUs[insert] = max;
        size++;
        return this;
    }

    /**
     * Adds every bucket of {@code other} (which is not changed): one pass over both, in bucket order, from the top down
     * into room at the end of this one's arrays, so that merging many histograms into one allocates only as it grows.
     */
    void addAll(DurationHistogram other) {
        if (other.size == 0) {
            return;
        }
        if (other == this) {
            DurationHistogram copy = new DurationHistogram();
            copy.addAll(this);
            other = copy;
        }
        if (size + other.size > buckets.length) {
            grow(Math.max(size + other.size, size * 2));
        }
        int i = size - 1;
        int j = other.size - 1;
        int to = size + other.size;
        while (i >= 0 || j >= 0) {
            boolean mine = j < 0 || (i >= 0 && buckets[i] >= other.buckets[j]);
            boolean theirs = i < 0 || (j >= 0 && other.buckets[j] >= buckets[i]);
            to--;
            // Slot "to" lies at or above i: this one's buckets not merged yet are never overwritten.
            int bucket = mine ? buckets[i] : other.buckets[j];
            long count = (mine ? counts[i] : 0) + (theirs ? other.counts[j] : 0);
            long total = (mine ? totalsUs[i] : 0) + (theirs ? other.totalsUs[j] : 0);
            long min = Math.min(mine ? minsUs[i] : NO_MIN, theirs ? other.minsUs[j] : NO_MIN);
            long max = Math.max(mine ? maxesUs[i] : NO_MAX, theirs ? other.maxesUs[j] : NO_MAX);
            buckets[to] = bucket;
            counts[to] = count;
            totalsUs[to] = total;
            minsUs[to] = min;
            maxesUs[to] = max;
            i -= mine ? 1 : 0;
            j -= theirs ? 1 : 0;
        }
        // Buckets both held were written once: the merged ones start "to" slots in.
        int merged = size + other.size - to;
        if (to > 0) {
            System.arraycopy(buckets, to, buckets, 0, merged);
            System.arraycopy(counts, to, counts, 0, merged);
            System.arraycopy(totalsUs, to, totalsUs, 0, merged);
            System.arraycopy(minsUs, to, minsUs, 0, merged);
            System.arraycopy(maxesUs, to, maxesUs, 0, merged);
        }
        size = merged;
    }

    /** Receives a histogram's buckets, in bucket order (see {@link #forEach}). */
    interface BucketVisitor {
        void bucket(int bucket, long count, long totalUs, long minUs, long maxUs);
    }

    /** Hands every bucket that holds anything to {@code visitor}, in bucket order (unknown extremes as their sentinels). */
    void forEach(BucketVisitor visitor) {
        for (int i = 0; i < size; i++) {
            visitor.bucket(buckets[i], counts[i], totalsUs[i], minsUs[i], maxesUs[i]);
        }
    }

    /** Whether no bucket holds anything. */
    boolean isEmpty() {
        return size == 0;
    }

    /**
     * This histogram as text, as the pending timing rows keep it (V19): its buckets separated by spaces, each
     * {@code bucket:count:total:min:max}, or {@code bucket:value} when it holds one value (most do in one transaction's
     * histogram: a bucket is 1.6 % wide). Read back by {@link #addText}.
     */
    String toText() {
        StringBuilder text = new StringBuilder(size * 16);
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(buckets[i]).append(':');
            if (counts[i] == 1 && totalsUs[i] == minsUs[i] && totalsUs[i] == maxesUs[i]) {
                text.append(totalsUs[i]);
            } else {
                text.append(counts[i]).append(':').append(totalsUs[i]).append(':').append(minsUs[i]).append(':').append(maxesUs[i]);
            }
        }
        return text.toString();
    }

    /**
     * Adds the buckets of {@code text}, as {@link #toText} wrote it; returns this histogram.
     *
     * @throws IllegalArgumentException when {@code text} is not such text
     */
    DurationHistogram addText(String text) {
        if (text.isEmpty()) {
            return this;
        }
        for (String entry : text.split(" ")) {
            String[] parts = entry.split(":");
            try {
                int bucket = Integer.parseInt(parts[0]);
                if (parts.length == 2) {
                    long value = Long.parseLong(parts[1]);
                    add(bucket, 1, value, value, value);
                } else if (parts.length == 5) {
                    add(bucket, Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]), Long.parseLong(parts[4]));
                } else {
                    throw new IllegalArgumentException("not a histogram bucket: " + entry);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a histogram bucket: " + entry, e);
            }
        }
        return this;
    }

    private void grow(int capacity) {
        buckets = Arrays.copyOf(buckets, capacity);
        counts = Arrays.copyOf(counts, capacity);
        totalsUs = Arrays.copyOf(totalsUs, capacity);
        minsUs = Arrays.copyOf(minsUs, capacity);
        maxesUs = Arrays.copyOf(maxesUs, capacity);
    }

    /** Count, mean, p50, p95, p99 and max in milliseconds, as {@link DurationSummary} reports them. */
    DurationSummary summary() {
        long count = 0;
        long totalUs = 0;
        int top = -1;
        for (int i = 0; i < size; i++) {
            // A bucket can read 0 (or less, per shard) when its jobs were deleted; the figures of the rest are what is left.
            if (counts[i] > 0) {
                count += counts[i];
                totalUs += totalsUs[i];
                top = i;
            }
        }
        if (count == 0) {
            return DurationSummary.EMPTY;
        }
        double maxUs = clamp(maxesUs[top], NO_MAX, buckets[top], upper(buckets[top]) - 1);
        return new DurationSummary(count, totalUs / (double) count / 1000.0, percentile(count, 0.5) / 1000.0,
                percentile(count, 0.95) / 1000.0, percentile(count, 0.99) / 1000.0, maxUs / 1000.0);
    }

    /** As percentile_cont: the value at rank p * (n - 1), interpolated between the two values around it. */
    private double percentile(long count, double p) {
        double rank = p * (count - 1);
        long below = (long) Math.floor(rank);
        double low = valueAt(below);
        if (rank == below) {
            return low;
        }
        return low + (rank - below) * (valueAt(below + 1) - low);
    }

    /**
     * The estimated k-th smallest value (from 0) among the buckets that hold jobs: its bucket's values are taken as
     * spread evenly from the least to the greatest the bucket holds (its bounds where those are unknown).
     */
    private double valueAt(long k) {
        long before = 0;
        for (int i = 0; i < size; i++) {
            if (counts[i] <= 0) {
                continue;
            }
            if (k < before + counts[i]) {
                int bucket = buckets[i];
                double low = clamp(minsUs[i], NO_MIN, bucket, lower(bucket));
                double high = Math.max(low, clamp(maxesUs[i], NO_MAX, bucket, upper(bucket) - 1));
                return counts[i] == 1 ? low : low + (high - low) * (k - before) / (double) (counts[i] - 1);
            }
            before += counts[i];
        }
        throw new IllegalStateException("rank " + k + " beyond " + before);
    }

    /** A recorded extreme if there is one and it lies in the bucket (a deleted job can leave one outside), else the bound. */
    private static double clamp(long recorded, long unknown, int bucket, long bound) {
        return recorded != unknown && recorded >= lower(bucket) && recorded < upper(bucket) ? recorded : bound;
    }
}
