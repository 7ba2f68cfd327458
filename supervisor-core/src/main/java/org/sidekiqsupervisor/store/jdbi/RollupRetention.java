package org.sidekiqsupervisor.store.jdbi;

import java.time.Instant;
import java.util.Optional;

import org.jdbi.v3.core.Handle;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.store.StoreSchema;

/**
 * The rollups' own retention: the buckets that ended before a time go, oldest first, one bucket (both tables' rows of
 * it) per short transaction, so writers adding to the current buckets are never held up for long.
 */
final class RollupRetention {
    private final Transactions transactions;
    private final String eventRollups;
    private final String timingRollups;
    private final String pendingRollups;

    RollupRetention(Transactions transactions, StoreSchema schema) {
        this.transactions = transactions;
        this.eventRollups = schema.eventRollupsTable();
        this.timingRollups = schema.timingRollupsTable();
        this.pendingRollups = schema.pendingRollupsTable();
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#pruneRollups}. */
    long prune(Instant before) {
        long beforeUs = Times.toMicros(before);
        long pruned = 0;
        for (int span : Rollups.SPANS) {
            // A bucket that ends at or before the cutoff: it starts at least a span before it.
            long lastStartUs = beforeUs - span * 1_000_000L;
            for (Optional<Long> oldest = oldest(span, lastStartUs); oldest.isPresent(); oldest = oldest(span, lastStartUs)) {
                long bucketUs = oldest.get();
                transactions.inTransactionWithRetries(handle -> {
                    delete(handle, eventRollups, span, bucketUs);
                    delete(handle, timingRollups, span, bucketUs);
                    return null;
                });
                pruned++;
            }
        }
        // Rows still pending that old are the store's fold long stopped: their minutes go as the folded ones did.
        long lastMinuteUs = beforeUs - Rollups.MINUTE_S * 1_000_000L;
        transactions.inTransactionWithRetries(handle -> handle.createUpdate("delete from " + pendingRollups
                + " where bucket_us <= :last_us").bind("last_us", lastMinuteUs).execute());
        return pruned;
    }

    /** The oldest bucket of {@code span} starting at or before {@code lastStartUs} in either table: an index read each. */
    private Optional<Long> oldest(int span, long lastStartUs) {
        return transactions.withHandle(handle -> {
            Optional<Long> events = first(handle, eventRollups, span, lastStartUs);
            Optional<Long> timings = first(handle, timingRollups, span, lastStartUs);
            return events.isEmpty() ? timings : timings.isEmpty() ? events : Optional.of(Math.min(events.get(), timings.get()));
        });
    }

    private static Optional<Long> first(Handle handle, String table, int span, long lastStartUs) {
        return handle.createQuery("select bucket_us from " + table + " where span_s = :span_s and bucket_us <= :last_us "
                        + "order by span_s, bucket_us limit 1")
                .bind("span_s", span).bind("last_us", lastStartUs).mapTo(Long.class).findOne();
    }

    private static void delete(Handle handle, String table, int span, long bucketUs) {
        handle.createUpdate("delete from " + table + " where span_s = :span_s and bucket_us = :bucket_us")
                .bind("span_s", span).bind("bucket_us", bucketUs).execute();
    }
}
