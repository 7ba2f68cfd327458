package org.sidekiqsupervisor.store.jdbi;

import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobStatus;

/**
 * What one transaction changes in the aggregates the store keeps beside the jobs: how many jobs are in each status, and
 * the durations of complete jobs per class ({@link DurationHistogram} buckets, from queued and from started). Every
 * change of a job is told as the job leaving its old state and entering its new one; {@link #write} then adds the net
 * change to one shard of each table, picked at random, so that concurrent writers rarely wait on the same row.
 */
final class Aggregates {
    /** Shards of the counts and of the duration buckets (the V6 migration creates the counts' rows). */
    static final int SHARDS = 8;

    private final Map<JobStatus, Long> moved = new EnumMap<>(JobStatus.class);
    private final TreeMap<Key, Delta> durations = new TreeMap<>();

    /** One row of the durations table within a shard. Ordered, so that transactions take the rows in one order. */
    record Key(String from, String jobClass, int bucket) implements Comparable<Key> {
        private static final Comparator<Key> ORDER = Comparator.comparing(Key::from).thenComparing(Key::jobClass)
                .thenComparingInt(Key::bucket);

        @Override
        public int compareTo(Key other) {
            return ORDER.compare(this, other);
        }
    }

    /** The change to one row: jobs and their total added (negative when leaving), least and greatest value entered. */
    private static final class Delta {
        long jobs;
        long totalUs;
        Long minUs;
        Long maxUs;
    }

    /** The value stored for a job's class: the table's key cannot be null. */
    static String classKey(String jobClass) {
        return jobClass == null ? "" : jobClass;
    }

    /** The wire name of where durations are measured from, as the durations table keeps it. */
    static String fromKey(DurationFrom from) {
        return from == DurationFrom.QUEUED ? "queued" : "started";
    }

    /** {@code job} as it was before this transaction changed or deleted it. */
    void leave(Job job) {
        leave(job.status(), job.jobClass(), Times.toMicrosOrNull(job.queuedAt()), Times.toMicrosOrNull(job.startedAt()),
                Times.toMicrosOrNull(job.completedAt()));
    }

    /** A job read as columns, as it was before this transaction deleted it. */
    void leave(JobStatus status, String jobClass, Long queuedUs, Long startedUs, Long completedUs) {
        moved.merge(status, -1L, Long::sum);
        if (status == JobStatus.COMPLETE && completedUs != null) {
            duration("queued", jobClass, queuedUs, completedUs, -1);
            duration("started", jobClass, startedUs, completedUs, -1);
        }
    }

    /** {@code job} as this transaction leaves it. */
    void enter(Job job) {
        enter(job.status(), job.jobClass(), Times.toMicrosOrNull(job.queuedAt()), Times.toMicrosOrNull(job.startedAt()),
                Times.toMicrosOrNull(job.completedAt()));
    }

    /** A job read as columns, as it is after this transaction. */
    void enter(JobStatus status, String jobClass, Long queuedUs, Long startedUs, Long completedUs) {
        moved.merge(status, 1L, Long::sum);
        if (status == JobStatus.COMPLETE && completedUs != null) {
            duration("queued", jobClass, queuedUs, completedUs, 1);
            duration("started", jobClass, startedUs, completedUs, 1);
        }
    }

    /** One row of net change to the durations table, for code that writes it without a transaction of its own. */
    record DurationRow(Key key, long jobs, long totalUs, Long minUs, Long maxUs) {
    }

    /** The net change of the jobs in each status (zero or absent where none moved). */
    Map<JobStatus, Long> moved() {
        return moved;
    }

    List<DurationRow> durationRows() {
        return durations.entrySet().stream().map(e -> new DurationRow(e.getKey(), e.getValue().jobs, e.getValue().totalUs,
                e.getValue().minUs, e.getValue().maxUs)).toList();
    }

    private void duration(String from, String jobClass, Long startUs, long completedUs, int sign) {
        if (startUs == null) {
            return;
        }
        long us = completedUs - startUs;
        Delta delta = durations.computeIfAbsent(new Key(from, classKey(jobClass), DurationHistogram.bucket(us)), k -> new Delta());
        delta.jobs += sign;
        delta.totalUs += sign * us;
        if (sign > 0) {
            delta.minUs = delta.minUs == null ? us : Math.min(delta.minUs, us);
            delta.maxUs = delta.maxUs == null ? us : Math.max(delta.maxUs, us);
        }
    }

    /**
     * Writes the net change: the last statements of a transaction, after every job row it locks, durations in key
     * order and then counts in status order, so that two transactions never wait on each other's aggregates while
     * holding what the other needs. A bucket row that does not exist yet is inserted; a concurrent transaction that
     * inserts the same one first makes this one fail with a unique violation, and the caller tries again.
     */
    void write(Handle handle, String countsTable, String durationsTable) {
        int shard = ThreadLocalRandom.current().nextInt(SHARDS);
        List<Map.Entry<Key, Delta>> changes = durations.entrySet().stream()
                .filter(e -> e.getValue().jobs != 0 || e.getValue().totalUs != 0).toList();
        if (!changes.isEmpty()) {
            PreparedBatch updates = handle.prepareBatch("update " + durationsTable + " set jobs = jobs + :jobs, "
                    + "total_us = total_us + :total_us, "
                    + "min_us = case when min_us is null or cast(:min_us as bigint) < min_us then cast(:min_us as bigint) else min_us end, "
                    + "max_us = case when max_us is null or cast(:max_us as bigint) > max_us then cast(:max_us as bigint) else max_us end "
                    + "where measured_from = :measured_from and job_class = :job_class and bucket = :bucket and shard = :shard");
            changes.forEach(change -> bind(updates, shard, change).add());
            int[] updated = updates.execute();
            PreparedBatch inserts = handle.prepareBatch("insert into " + durationsTable
                    + " (measured_from, job_class, bucket, shard, jobs, total_us, min_us, max_us) "
                    + "values (:measured_from, :job_class, :bucket, :shard, :jobs, :total_us, :min_us, :max_us)");
            for (int i = 0; i < changes.size(); i++) {
                if (updated[i] == 0) {
                    bind(inserts, shard, changes.get(i)).add();
                }
            }
            if (inserts.size() > 0) {
                inserts.execute();
            }
        }
        // One round trip for every status that changed.
        PreparedBatch counts = handle.prepareBatch("update " + countsTable + " set jobs = jobs + :delta where shard = :shard and status = :status");
        for (JobStatus status : JobStatus.values()) {
            long delta = moved.getOrDefault(status, 0L);
            if (delta != 0) {
                counts.bind("delta", delta).bind("shard", shard).bind("status", status.wireName()).add();
            }
        }
        if (counts.size() > 0) {
            counts.execute();
        }
    }

    private static PreparedBatch bind(PreparedBatch batch, int shard, Map.Entry<Key, Delta> change) {
        Key key = change.getKey();
        Delta delta = change.getValue();
        return batch.bind("measured_from", key.from()).bind("job_class", key.jobClass()).bind("bucket", key.bucket())
                .bind("shard", shard).bind("jobs", delta.jobs).bind("total_us", delta.totalUs)
                .bindByType("min_us", delta.minUs, Long.class).bindByType("max_us", delta.maxUs, Long.class);
    }
}
