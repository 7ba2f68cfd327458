package org.sidekiqsupervisor.store.jdbi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.store.StoreSchema;

/**
 * Folds the shards of ended rollup buckets into shard 0, so that a read sums one row per key instead of one per shard
 * (on PostgreSQL writers spread their additions over {@link Rollups#POSTGRES_SHARDS} shards so as not to wait on each
 * other; once a bucket has ended nobody needs that any more).
 *
 * <p>One short transaction per table and bucket: lock the bucket's rows of shards above 0 (in key order, as writers take
 * theirs), delete exactly those rows, and add what they held to shard 0's rows (inserting a missing one). A writer that
 * still adds to the bucket (a batch received just before its end) waits for the lock and then finds its row gone and
 * inserts a new one, which a later fold takes; two folds racing lock the same rows, so the second finds them deleted and
 * adds nothing; a shard-0 row inserted by a writer at the same moment makes the fold fail with a unique violation and
 * start again whole. So no increment is lost or counted twice. Min and max fold as least and greatest.
 *
 * <p>The buckets left to fold are found through a partial index of the rows outside shard 0 (V16, PostgreSQL), so a
 * pass reads the rows it folds and not those folded before; a late batch's row in a bucket already folded is taken by
 * the next pass.
 *
 * <p>Pending rollups (V19, see {@link Rollups}) are folded by {@link #foldPending}, which the store runs every second
 * or so: the pending rows, locked, deleted, and added to shard 0's event and timing rows of every bucket length in the
 * same transaction. On PostgreSQL the lock skips rows another supervisor's fold holds ({@code skip locked}), so folds
 * running at once take different rows; each pending row is folded by exactly one of them, or not at all when its
 * transaction rolls back, and a read sums the timing rows and the rows still pending in one statement.
 */
final class RollupFolding {
    private static final String TIMING_KEY = "job_class, measured, duration_bucket";

    /** At most this many pending rows are folded in one transaction: its locks and its memory stay small. */
    static final int PENDING_BATCH = 2_000;

    private final Transactions transactions;
    private final String eventRollups;
    private final String timingRollups;
    private final String pendingRollups;
    private final boolean postgres;

    RollupFolding(Transactions transactions, StoreSchema schema, boolean postgres) {
        this.transactions = transactions;
        this.eventRollups = schema.eventRollupsTable();
        this.timingRollups = schema.timingRollupsTable();
        this.pendingRollups = schema.pendingRollupsTable();
        this.postgres = postgres;
    }

    /**
     * Folds the pending rows into the event and timing rollups, {@value #PENDING_BATCH} rows a transaction (in the order of
     * their ids, which are random), until it finds fewer than that or has folded {@code maxRows}.
     *
     * @return how many pending rows it folded
     */
    long foldPending(long maxRows) {
        long folded = 0;
        while (folded < maxRows) {
            int rows = transactions.inTransactionWithRetries(this::foldPendingBatch);
            folded += rows;
            if (rows < PENDING_BATCH) {
                break;
            }
        }
        return folded;
    }

    private int foldPendingBatch(Handle handle) {
        // Locked first, so that what is deleted and added is exactly what this transaction read.
        List<Map<String, Object>> rows = handle.createQuery("select id, bucket_us, job_class, measured, rollup from "
                        + pendingRollups + " order by id fetch first " + PENDING_BATCH + " rows only for update"
                        + (postgres ? " skip locked" : ""))
                .mapToMap().list();
        if (rows.isEmpty()) {
            return 0;
        }
        List<Long> ids = new ArrayList<>(rows.size());
        Rollups rollups = new Rollups();
        for (Map<String, Object> row : rows) {
            ids.add(((Number) row.get("id")).longValue());
            rollups.addPending(new Rollups.PendingKey(((Number) row.get("bucket_us")).longValue(), (String) row.get("job_class"),
                    (String) row.get("measured")), (String) row.get("rollup"));
        }
        handle.createUpdate("delete from " + pendingRollups + " where id = any(:ids)").bindArray("ids", Long.class, ids).execute();
        if (postgres) {
            rollups.writePostgres(handle, eventRollups, timingRollups, 0);
        } else {
            rollups.write(handle, eventRollups, timingRollups, pendingRollups, 0);
        }
        return rows.size();
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#foldRollups}. */
    synchronized long fold(Instant endedBefore) {
        long beforeUs = Times.toMicros(endedBefore);
        long folded = 0;
        for (int span : Rollups.SPANS) {
            // A bucket that ended at or before the cutoff starts at least a span before it.
            long lastStartUs = beforeUs - span * 1_000_000L;
            folded += foldTable(timingRollups, TIMING_KEY, "jobs, total_us, min_us, max_us", span, lastStartUs);
            folded += foldTable(eventRollups, "status", "events", span, lastStartUs);
        }
        return folded;
    }

    /** Folds every bucket of {@code span} in {@code table} with rows outside shard 0, up to {@code lastStartUs}. */
    private long foldTable(String table, String key, String values, int span, long lastStartUs) {
        long folded = 0;
        for (Optional<Long> next = nextSharded(table, span, Long.MIN_VALUE, lastStartUs); next.isPresent();
             next = nextSharded(table, span, next.get(), lastStartUs)) {
            long bucketUs = next.get();
            transactions.inTransactionWithRetries(handle -> foldBucket(handle, table, key, values, span, bucketUs));
            folded++;
        }
        return folded;
    }

    /** The first bucket after {@code afterUs} and at or before {@code lastUs} with a row in a shard above 0. */
    private Optional<Long> nextSharded(String table, int span, long afterUs, long lastUs) {
        return transactions.withHandle(handle -> handle.createQuery("select bucket_us from " + table
                        + " where span_s = :span_s and bucket_us > :after_us and bucket_us <= :last_us and shard > 0 "
                        + "order by span_s, bucket_us limit 1")
                .bind("span_s", span).bind("after_us", afterUs).bind("last_us", lastUs).mapTo(Long.class).findOne());
    }

    private Void foldBucket(Handle handle, String table, String key, String values, int span, long bucketUs) {
        List<String> keyColumns = List.of(key.split(", "));
        List<String> valueColumns = List.of(values.split(", "));
        // Locked in key order, as writers lock theirs; what is locked is exactly what is deleted and added to shard 0.
        List<Map<String, Object>> rows = handle.createQuery("select " + key + ", shard, " + values + " from " + table
                        + " where span_s = :span_s and bucket_us = :bucket_us and shard > 0 order by " + key + ", shard for update")
                .bind("span_s", span).bind("bucket_us", bucketUs).mapToMap().list();
        if (rows.isEmpty()) {
            return null;
        }
        TreeMap<List<Object>, long[]> sums = new TreeMap<>(RollupFolding::compareKeys);
        PreparedBatch delete = handle.prepareBatch("delete from " + table + " where span_s = :span_s and bucket_us = :bucket_us and "
                + whereKey(keyColumns) + " and shard = :shard");
        for (Map<String, Object> row : rows) {
            List<Object> rowKey = keyColumns.stream().map(row::get).toList();
            long[] value = valueColumns.stream().mapToLong(c -> ((Number) row.get(c)).longValue()).toArray();
            sums.merge(rowKey, value, (a, b) -> plus(valueColumns, a, b));
            bindKey(delete.bind("span_s", span).bind("bucket_us", bucketUs), keyColumns, rowKey).bind("shard", row.get("shard")).add();
        }
        delete.execute();
        String set = valueColumns.stream().map(c -> c + " = " + (c.equals("min_us") ? "least(min_us, :min_us)"
                : c.equals("max_us") ? "greatest(max_us, :max_us)" : c + " + :" + c)).reduce((a, b) -> a + ", " + b).orElseThrow();
        PreparedBatch update = handle.prepareBatch("update " + table + " set " + set + " where span_s = :span_s and bucket_us = :bucket_us and "
                + whereKey(keyColumns) + " and shard = 0");
        List<Map.Entry<List<Object>, long[]>> entries = List.copyOf(sums.entrySet());
        entries.forEach(e -> bindValues(bindKey(update.bind("span_s", span).bind("bucket_us", bucketUs), keyColumns, e.getKey()),
                valueColumns, e.getValue()).add());
        int[] updated = update.execute();
        PreparedBatch insert = handle.prepareBatch("insert into " + table + " (span_s, bucket_us, " + key + ", shard, " + values
                + ") values (:span_s, :bucket_us, " + String.join(", ", keyColumns.stream().map(c -> ":" + c).toList()) + ", 0, "
                + String.join(", ", valueColumns.stream().map(c -> ":" + c).toList()) + ")");
        for (int i = 0; i < entries.size(); i++) {
            if (updated[i] == 0) {
                Map.Entry<List<Object>, long[]> e = entries.get(i);
                bindValues(bindKey(insert.bind("span_s", span).bind("bucket_us", bucketUs), keyColumns, e.getKey()), valueColumns,
                        e.getValue()).add();
            }
        }
        if (insert.size() > 0) {
            insert.execute();
        }
        return null;
    }

    private static String whereKey(List<String> keyColumns) {
        return String.join(" and ", keyColumns.stream().map(c -> c + " = :" + c).toList());
    }

    private static PreparedBatch bindKey(PreparedBatch batch, List<String> columns, List<Object> key) {
        for (int i = 0; i < columns.size(); i++) {
            batch.bind(columns.get(i), key.get(i));
        }
        return batch;
    }

    private static PreparedBatch bindValues(PreparedBatch batch, List<String> columns, long[] values) {
        for (int i = 0; i < columns.size(); i++) {
            batch.bind(columns.get(i), values[i]);
        }
        return batch;
    }

    /** Two rows' values folded: sums, but the least of the min_us and the greatest of the max_us. */
    private static long[] plus(List<String> columns, long[] a, long[] b) {
        long[] sum = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            String column = columns.get(i);
            sum[i] = column.equals("min_us") ? Math.min(a[i], b[i]) : column.equals("max_us") ? Math.max(a[i], b[i]) : a[i] + b[i];
        }
        return sum;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareKeys(List<Object> a, List<Object> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = ((Comparable) a.get(i)).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
