package org.sidekiqsupervisor.store.jdbi;

import static org.sidekiqsupervisor.store.jdbi.JobRows.JOB_COLUMNS;
import static org.sidekiqsupervisor.store.jdbi.JobRows.JOB_SELECT;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Update;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobProgress;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.store.StoreSchema;

/**
 * What changes a job: its events (folded into its row and appended to its history), its progress, and its restart
 * (the claim, then the replacement recorded and the original deleted). Each event locks its job's row
 * ({@code select ... for update}); a transaction that loses a race to create a job is tried again.
 */
final class EventWriter {
    private final Transactions transactions;
    private final JobDeletions deletions;
    private final String jobs;
    private final String events;
    private final String counts;
    private final String durations;
    private final String eventRollups;
    private final String timingRollups;
    private final int rollupShards;
    /** H2's index of the arguments, which numbers the jobs; null on PostgreSQL. */
    private final ArgumentsIndex argumentsIndex;

    /**
     * @param rollupShards how many shards of the rollups a transaction picks its own from
     * @param argumentsIndex H2's index of the arguments, or null where the database indexes them itself
     */
    EventWriter(Transactions transactions, JobDeletions deletions, StoreSchema schema, int rollupShards,
                ArgumentsIndex argumentsIndex) {
        this.transactions = transactions;
        this.deletions = deletions;
        this.jobs = schema.jobsTable();
        this.events = schema.eventsTable();
        this.counts = schema.countsTable();
        this.durations = schema.durationsTable();
        this.eventRollups = schema.eventRollupsTable();
        this.timingRollups = schema.timingRollupsTable();
        this.rollupShards = rollupShards;
        this.argumentsIndex = argumentsIndex;
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#record}. */
    List<RecordResult> record(List<JobEvent> batch, Instant receivedAt) {
        if (batch.isEmpty()) {
            return List.of();
        }
        return transactions.inTransactionWithRetries(handle -> {
            Aggregates aggregates = new Aggregates();
            Rollups rollups = new Rollups();
            List<RecordResult> results = applyEvents(handle, batch, receivedAt, aggregates, rollups);
            writeAggregates(handle, aggregates, rollups);
            return results;
        });
    }

    /**
     * Applies a batch of events in a few statements, however many there are: lock the batch's job rows (in job-id
     * order, so that concurrent batches cannot deadlock), read which events are recorded already, fold the events
     * in memory (in the given order within each job), then write the new events, new jobs and changed jobs as
     * JDBC batches. A concurrent transaction that created one of the same jobs first makes the insert fail with a
     * unique violation, and the caller tries the whole transaction again. Each event applied (duplicates are not) is
     * told to {@code rollups} with its job as it left it.
     */
    private List<RecordResult> applyEvents(Handle handle, List<JobEvent> batch, Instant receivedAt, Aggregates aggregates,
                                           Rollups rollups) {
        long receivedUs = Times.toMicros(receivedAt);
        List<String> ids = batch.stream().map(JobEvent::jobId).distinct().sorted().toList();
        Map<String, Job> state = new HashMap<>();
        handle.createQuery("select " + JOB_SELECT + " from " + jobs + " where job_id = any(:ids) order by job_id for update")
                .bindArray("ids", String.class, ids).map(JobRows::mapJob).forEach(job -> state.put(job.jobId(), job));
        Map<String, Job> before = Map.copyOf(state);
        Set<String> existing = before.keySet();
        Set<String> recorded = new HashSet<>();
        List<String> existingIds = ids.stream().filter(existing::contains).toList();
        if (!existingIds.isEmpty()) {
            handle.createQuery("select job_id, at_us, status from " + events + " where job_id = any(:ids)")
                    .bindArray("ids", String.class, existingIds)
                    .map((rs, ctx) -> eventKey(rs.getString("job_id"), rs.getLong("at_us"), rs.getString("status")))
                    .forEach(recorded::add);
        }
        RecordResult[] results = new RecordResult[batch.size()];
        Set<String> changed = new HashSet<>();
        PreparedBatch newEvents = handle.prepareBatch("insert into " + events
                + " (job_id, status, at_us, received_us, error_class, error_message) "
                + "values (:job_id, :status, :at_us, :received_us, :error_class, :error_message)");
        for (int i = 0; i < batch.size(); i++) {
            JobEvent event = batch.get(i);
            Job current = state.get(event.jobId());
            long atUs = Times.toMicros(event.at());
            if (!recorded.add(eventKey(event.jobId(), atUs, event.status().wireName()))) {
                results[i] = new RecordResult(RecordResult.Outcome.DUPLICATE, current);
                continue;
            }
            newEvents.bind("job_id", event.jobId()).bind("status", event.status().wireName()).bind("at_us", atUs)
                    .bind("received_us", receivedUs).bind("error_class", event.errorClass())
                    .bind("error_message", event.errorMessage()).add();
            Job next = current == null ? Job.first(event, receivedAt) : current.apply(event, receivedAt);
            rollups.applied(event, next, receivedUs);
            state.put(event.jobId(), next);
            changed.add(event.jobId());
            results[i] = new RecordResult(current == null ? RecordResult.Outcome.CREATED : RecordResult.Outcome.UPDATED, next);
        }
        if (newEvents.size() > 0) {
            newEvents.execute();
        }
        boolean numbered = argumentsIndex != null;
        PreparedBatch inserts = handle.prepareBatch("insert into " + jobs + " (" + JOB_COLUMNS + (numbered ? ", seq" : "")
                + ") values (:job_id, :job_class, :queue, :arguments, :status, :status_us, :queued_us, :started_us, :completed_us, "
                + ":failed_us, :attempts, :error_class, :error_message, :restarted_from, :activity_us, :created_us, 0, null, :payload, "
                + ":payload_us" + (numbered ? ", :seq" : "") + ")");
        PreparedBatch updates = handle.prepareBatch("update " + jobs + " set job_class = :job_class, queue = :queue, "
                + "arguments = :arguments, status = :status, status_us = :status_us, queued_us = :queued_us, "
                + "started_us = :started_us, completed_us = :completed_us, failed_us = :failed_us, attempts = :attempts, "
                + "error_class = :error_class, error_message = :error_message, restarted_from = :restarted_from, "
                + "activity_us = :activity_us, payload = :payload, payload_us = :payload_us, "
                // News of the job: what the looks at Sidekiq found before no longer holds (contract 5b).
                + "missing_since_us = null, missing_seen_us = null, lost_us = null where job_id = :job_id");
        // H2 numbers the jobs for its arguments index: a new job, and a job whose arguments arrive only now (a new
        // number, so that a crash before the index's next commit has it indexed again on start).
        List<String> numberedIds = numbered ? ids.stream().filter(changed::contains)
                .filter(id -> !existing.contains(id) || before.get(id).arguments() == null && state.get(id).arguments() != null)
                .toList() : List.of();
        long[] seqs = numbered ? argumentsIndex.number(numberedIds.stream().map(id -> state.get(id).arguments()).toList()) : new long[0];
        Map<String, Long> seqById = new HashMap<>();
        for (int i = 0; i < seqs.length; i++) {
            seqById.put(numberedIds.get(i), seqs[i]);
        }
        PreparedBatch renumbered = handle.prepareBatch("update " + jobs + " set seq = :seq where job_id = :job_id");
        for (String jobId : ids) {
            if (changed.contains(jobId)) {
                Job job = state.get(jobId);
                Job was = before.get(jobId);
                Long seq = seqById.get(jobId);
                if (was == null) {
                    JobRows.bindJob(inserts, job);
                    if (numbered) {
                        inserts.bind("seq", seq);
                    }
                    inserts.add();
                } else {
                    JobRows.bindJob(updates, job).add();
                    if (seq != null) {
                        renumbered.bind("seq", seq).bind("job_id", jobId).add();
                    }
                    aggregates.leave(was);
                }
                aggregates.enter(job);
            }
        }
        if (inserts.size() > 0) {
            inserts.execute();
        }
        if (updates.size() > 0) {
            updates.execute();
        }
        if (renumbered.size() > 0) {
            renumbered.execute();
        }
        return List.of(results);
    }

    /**
     * The last statements of a write: the rollups, then the aggregates, always in this order (and each in key order),
     * so that two transactions never wait on each other's rows while holding what the other needs.
     */
    private void writeAggregates(Handle handle, Aggregates aggregates, Rollups rollups) {
        rollups.write(handle, eventRollups, timingRollups, ThreadLocalRandom.current().nextInt(rollupShards));
        aggregates.write(handle, counts, durations);
    }

    private static String eventKey(String jobId, long atUs, String status) {
        return jobId + '\u0000' + atUs + '\u0000' + status;
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#recordProgress}. */
    Optional<Job> recordProgress(String jobId, JobProgress progress) {
        return transactions.inTransaction(handle -> {
            // A report older than the one kept (reports can overtake each other) changes nothing.
            // Fields a report leaves out keep their last value (sidekiq-status sends at and total separately).
            handle.createUpdate("update " + jobs + " set progress_at = coalesce(:at, progress_at), "
                            + "progress_total = coalesce(:total, progress_total), progress_message = coalesce(:message, progress_message), "
                            + "progress_us = :updated_us where job_id = :job_id and (progress_us is null or progress_us <= :updated_us)")
                    .bind("at", progress.at()).bind("total", progress.total()).bind("message", progress.message())
                    .bind("updated_us", Times.toMicros(progress.updatedAt())).bind("job_id", jobId).execute();
            return handle.createQuery("select " + JOB_SELECT + " from " + jobs + " where job_id = :job_id").bind("job_id", jobId)
                    .map(JobRows::mapJob).findOne();
        });
    }

    /**
     * See {@link org.sidekiqsupervisor.store.JobStore#swapRestartClaim}: one conditional UPDATE, so that of several
     * supervisors swapping the same claim the database lets exactly one change the row.
     */
    boolean swapRestartClaim(String jobId, String expectedClaim, String newClaim, Instant at) {
        if (Objects.equals(expectedClaim, newClaim)) {
            throw new IllegalArgumentException("the expected and the new restart claim must differ (both " + newClaim + ")");
        }
        String sql = "update " + jobs + " set restarting_to = " + (newClaim == null ? "null" : ":new_claim")
                + ", restart_claimed_us = " + (newClaim == null ? "null" : ":claimed_us")
                + " where job_id = :job_id"
                + (newClaim == null ? "" : " and status in (:queued, :started)")
                + (expectedClaim == null ? " and restarting_to is null" : " and restarting_to = :expected_claim");
        return transactions.withHandle(handle -> {
            Update update = handle.createUpdate(sql).bind("job_id", jobId);
            if (newClaim != null) {
                update.bind("new_claim", newClaim).bind("queued", JobStatus.QUEUED.wireName())
                        .bind("started", JobStatus.STARTED.wireName())
                        .bind("claimed_us", Times.toMicros(Objects.requireNonNull(at, "at")));
            }
            if (expectedClaim != null) {
                update.bind("expected_claim", expectedClaim);
            }
            return update.execute() == 1;
        });
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#completeRestart}. */
    RecordResult completeRestart(Job original, JobEvent queued, Instant receivedAt) {
        return transactions.inTransactionWithRetries(handle -> {
            // The replacement may already have reported in (Sidekiq can start it before this commits).
            Aggregates aggregates = new Aggregates();
            Rollups rollups = new Rollups();
            RecordResult result = applyEvents(handle, List.of(queued), receivedAt, aggregates, rollups).get(0);
            int restarts = original.restarts() + 1;
            handle.createUpdate("update " + jobs + " set restarts = :restarts, restarted_from = :restarted_from where job_id = :job_id")
                    .bind("restarts", restarts).bind("restarted_from", original.jobId()).bind("job_id", queued.jobId()).execute();
            deletions.deleteWithin(handle, original.jobId(), aggregates);
            writeAggregates(handle, aggregates, rollups);
            return new RecordResult(result.outcome(), result.job().withRestarts(restarts));
        });
    }
}
