package org.sidekiqsupervisor.store.jdbi;

import static org.sidekiqsupervisor.store.jdbi.JobRows.JOB_COLUMNS;
import static org.sidekiqsupervisor.store.jdbi.JobRows.JOB_SELECT;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
    private final String pendingRollups;
    /** H2's index of the arguments, which numbers the jobs; null on PostgreSQL. */
    private final ArgumentsIndex argumentsIndex;
    /** PostgreSQL's one statement for a batch's writes; null on H2, which writes them as JDBC batches. */
    private final PostgresBatchWrite oneStatement;
    /** Whether batches add to the rollups: always, but in the benchmark's baseline of what they cost. */
    private final boolean keepRollups;

    /**
     * @param postgres     whether the database is PostgreSQL (a batch's writes in one statement)
     * @param argumentsIndex H2's index of the arguments, or null where the database indexes them itself
     * @param keepRollups  false only for the benchmark's baseline: batches add nothing to the rollups (as before V13), so
     *                     the overview reads none of them
     */
    EventWriter(Transactions transactions, JobDeletions deletions, StoreSchema schema, boolean postgres,
                ArgumentsIndex argumentsIndex, boolean keepRollups) {
        this.transactions = transactions;
        this.deletions = deletions;
        this.jobs = schema.jobsTable();
        this.events = schema.eventsTable();
        this.counts = schema.countsTable();
        this.durations = schema.durationsTable();
        this.eventRollups = schema.eventRollupsTable();
        this.timingRollups = schema.timingRollupsTable();
        this.pendingRollups = schema.pendingRollupsTable();
        this.argumentsIndex = argumentsIndex;
        this.oneStatement = postgres ? new PostgresBatchWrite(schema) : null;
        this.keepRollups = keepRollups;
    }

    /** See {@link org.sidekiqsupervisor.store.JobStore#record}. */
    List<RecordResult> record(List<JobEvent> batch, Instant receivedAt) {
        return record(batch, java.util.Collections.nCopies(batch.size(), receivedAt), null);
    }

    /**
     * {@link #record(List, Instant)} with each event's own time of receipt (the journal applies many groups at once);
     * {@code beforeCommit}, when not null, runs once the writes are made (tests kill the process there).
     */
    List<RecordResult> record(List<JobEvent> batch, List<Instant> receivedAt, Runnable beforeCommit) {
        if (batch.isEmpty()) {
            return List.of();
        }
        return transactions.inTransactionWithRetries(handle -> {
            Aggregates aggregates = new Aggregates();
            Rollups rollups = new Rollups();
            Folded folded = fold(readStates(handle, jobIds(batch), true), batch, receivedAt, aggregates, keepRollups ? rollups : null);
            write(handle, folded, aggregates, rollups);
            if (beforeCommit != null) {
                beforeCommit.run();
            }
            return folded.results();
        });
    }

    /** The jobs {@code ids} as they are stored, with the events each has recorded; nothing locked. */
    JobStates states(java.util.Collection<String> ids) {
        List<String> sorted = ids.stream().distinct().sorted().toList();
        return transactions.withHandle(handle -> readStates(handle, sorted, false));
    }

    private static List<String> jobIds(List<JobEvent> batch) {
        return batch.stream().map(JobEvent::jobId).distinct().sorted().toList();
    }

    /**
     * The writes of a transaction, after it locked every job row it reads: the folded events and jobs, then the rollups,
     * then the aggregates (each in key order), so that two transactions never wait on each other's rows while holding
     * what the other needs. On
     * PostgreSQL one statement; on H2, one JDBC batch per statement.
     */
    private void write(Handle handle, Folded folded, Aggregates aggregates, Rollups rollups) {
        if (oneStatement != null) {
            oneStatement.write(handle, folded, rollups, aggregates, ThreadLocalRandom.current().nextInt(Aggregates.SHARDS));
        } else {
            writeFolded(handle, folded);
            // Pending rows only (the shard is that of rows the write path no longer adds to).
            rollups.write(handle, eventRollups, timingRollups, pendingRollups, 0);
            aggregates.write(handle, counts, durations);
        }
    }

    /** An event to be appended to a job's history. */
    record EventRow(String jobId, String status, long atUs, long receivedUs, String errorClass, String errorMessage) {
    }

    /**
     * What a batch of events does, folded in memory: each event's result, the events to append (duplicates are not),
     * the jobs to insert and those to update (each as the batch leaves it, in job-id order), and each changed job as it
     * was before (null for a new one).
     */
    record Folded(List<RecordResult> results, List<EventRow> newEvents, List<Job> inserted, List<Job> updated,
                  Map<String, Job> before) {
        /** Known jobs that lacked arguments and get them from this batch. */
        List<Job> argumentsArrivedLate() {
            return updated.stream().filter(job -> before.get(job.jobId()).arguments() == null && job.arguments() != null).toList();
        }

        /** The jobs whose arguments this batch brings: new jobs that have them, and {@link #argumentsArrivedLate}. */
        List<Job> argumentsArrived() {
            List<Job> arrived = new ArrayList<>(inserted.stream().filter(job -> job.arguments() != null).toList());
            arrived.addAll(argumentsArrivedLate());
            return arrived;
        }
    }

    /**
     * Jobs as a fold reads them: each job by id, and the events recorded for each, as {@code jobId + '\0' + atUs + ' ' +
     * status}. The fold changes both.
     */
    record JobStates(Map<String, Job> jobs, Set<String> recorded) {
        static String key(String jobId, long atUs, String status) {
            return jobId + '\u0000' + atUs + ' ' + status;
        }
    }

    /**
     * Reads the jobs {@code ids} (sorted) with the events each has recorded, in one statement; {@code lock}: locks their
     * rows (in job-id order, so that concurrent batches cannot deadlock).
     */
    private JobStates readStates(Handle handle, List<String> ids, boolean lock) {
        Map<String, Job> state = new HashMap<>();
        Set<String> recorded = new HashSet<>();
        handle.createQuery("select " + JOB_SELECT + ", array(select cast(e.at_us as varchar) || ' ' || e.status from " + events
                        + " e where e.job_id = j.job_id) as recorded from " + jobs + " j where j.job_id = any(:ids) "
                        + "order by j.job_id" + (lock ? " for update" : ""))
                .bindArray("ids", String.class, ids)
                .map((rs, ctx) -> {
                    Job job = JobRows.mapJob(rs, ctx);
                    for (Object key : (Object[]) rs.getArray("recorded").getArray()) {
                        recorded.add(job.jobId() + '\u0000' + key);
                    }
                    return job;
                })
                .forEach(job -> state.put(job.jobId(), job));
        return new JobStates(state, recorded);
    }

    /**
     * Folds a batch of events into the jobs they change, in memory, from {@code states} (which it changes): each event
     * in the given order within its job; an event already recorded is a duplicate. Each event applied is told to
     * {@code rollups} with its job as it left it, and each changed job to {@code aggregates} (both may be null: the
     * journal folds to answer, and leaves those to the store's own fold when it applies the events).
     */
    static Folded fold(JobStates states, List<JobEvent> batch, List<Instant> receivedAt, Aggregates aggregates, Rollups rollups) {
        List<String> ids = jobIds(batch);
        Map<String, Job> state = states.jobs();
        Set<String> recorded = states.recorded();
        Map<String, Job> before = new HashMap<>(state);
        RecordResult[] results = new RecordResult[batch.size()];
        List<EventRow> newEvents = new ArrayList<>();
        Set<String> changed = new HashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            JobEvent event = batch.get(i);
            Job current = state.get(event.jobId());
            long atUs = Times.toMicros(event.at());
            Instant received = receivedAt.get(i);
            long receivedUs = Times.toMicros(received);
            if (!recorded.add(JobStates.key(event.jobId(), atUs, event.status().wireName()))) {
                results[i] = new RecordResult(RecordResult.Outcome.DUPLICATE, current);
                continue;
            }
            newEvents.add(new EventRow(event.jobId(), event.status().wireName(), atUs, receivedUs, event.errorClass(),
                    event.errorMessage()));
            Job next = current == null ? Job.first(event, received) : current.apply(event, received);
            if (rollups != null) {
                rollups.applied(event, next, receivedUs);
            }
            state.put(event.jobId(), next);
            changed.add(event.jobId());
            results[i] = new RecordResult(current == null ? RecordResult.Outcome.CREATED : RecordResult.Outcome.UPDATED, next);
        }
        List<Job> inserted = new ArrayList<>();
        List<Job> updated = new ArrayList<>();
        for (String jobId : ids) {
            if (changed.contains(jobId)) {
                Job job = state.get(jobId);
                Job was = before.get(jobId);
                if (was == null) {
                    inserted.add(job);
                } else {
                    updated.add(job);
                    if (aggregates != null) {
                        aggregates.leave(was);
                    }
                }
                if (aggregates != null) {
                    aggregates.enter(job);
                }
            }
        }
        before.keySet().retainAll(changed);
        // In job-id order (each job's events in their own order), as the jobs: two transactions that both create the
        // same jobs then wait on each other's rows in one order, and one fails with a unique violation instead of a
        // deadlock, which the database would find only after its deadlock timeout (a second on PostgreSQL).
        newEvents.sort(Comparator.comparing(EventRow::jobId));
        return new Folded(List.of(results), newEvents, inserted, updated, before);
    }

    /** H2: writes a folded batch's events and jobs as one JDBC batch per statement, numbering the jobs for its index. */
    private void writeFolded(Handle handle, Folded folded) {
        if (!folded.newEvents().isEmpty()) {
            PreparedBatch newEvents = handle.prepareBatch("insert into " + events
                    + " (job_id, status, at_us, received_us, error_class, error_message) "
                    + "values (:job_id, :status, :at_us, :received_us, :error_class, :error_message)");
            for (EventRow row : folded.newEvents()) {
                newEvents.bind("job_id", row.jobId()).bind("status", row.status()).bind("at_us", row.atUs())
                        .bind("received_us", row.receivedUs()).bind("error_class", row.errorClass())
                        .bind("error_message", row.errorMessage()).add();
            }
            newEvents.execute();
        }
        boolean numbered = argumentsIndex != null;
        // H2 numbers the jobs for its arguments index: a new job, and a job whose arguments arrive only now (a new
        // number, so that a crash before the index's next commit has it indexed again on start).
        List<Job> toNumber = new ArrayList<>(folded.inserted());
        toNumber.addAll(folded.argumentsArrivedLate());
        Map<String, Long> seqById = new HashMap<>();
        if (numbered && !toNumber.isEmpty()) {
            long[] seqs = argumentsIndex.number(toNumber.stream().map(Job::arguments).toList());
            for (int i = 0; i < seqs.length; i++) {
                seqById.put(toNumber.get(i).jobId(), seqs[i]);
            }
        }
        if (!folded.inserted().isEmpty()) {
            PreparedBatch inserts = handle.prepareBatch("insert into " + jobs + " (" + JOB_COLUMNS + (numbered ? ", seq" : "")
                    + ") values (:job_id, :job_class, :queue, :arguments, :status, :status_us, :queued_us, :started_us, :completed_us, "
                    + ":failed_us, :attempts, :error_class, :error_message, :restarted_from, :activity_us, :created_us, 0, null, :payload, "
                    + ":payload_us" + (numbered ? ", :seq" : "") + ")");
            for (Job job : folded.inserted()) {
                JobRows.bindJob(inserts, job);
                if (numbered) {
                    inserts.bind("seq", seqById.get(job.jobId()));
                }
                inserts.add();
            }
            inserts.execute();
        }
        if (!folded.updated().isEmpty()) {
            PreparedBatch updates = handle.prepareBatch("update " + jobs + " set job_class = :job_class, queue = :queue, "
                    + "arguments = :arguments, status = :status, status_us = :status_us, queued_us = :queued_us, "
                    + "started_us = :started_us, completed_us = :completed_us, failed_us = :failed_us, attempts = :attempts, "
                    + "error_class = :error_class, error_message = :error_message, restarted_from = :restarted_from, "
                    + "activity_us = :activity_us, payload = :payload, payload_us = :payload_us, "
                    // News of the job: what the looks at Sidekiq found before no longer holds (contract 5b).
                    + "missing_since_us = null, missing_seen_us = null, lost_us = null where job_id = :job_id");
            PreparedBatch renumbered = handle.prepareBatch("update " + jobs + " set seq = :seq where job_id = :job_id");
            for (Job job : folded.updated()) {
                JobRows.bindJob(updates, job).add();
                Long seq = seqById.get(job.jobId());
                if (seq != null) {
                    renumbered.bind("seq", seq).bind("job_id", job.jobId()).add();
                }
            }
            updates.execute();
            if (renumbered.size() > 0) {
                renumbered.execute();
            }
        }
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
            Folded folded = fold(readStates(handle, List.of(queued.jobId()), true), List.of(queued), List.of(receivedAt),
                    aggregates, rollups);
            deletions.deleteWithin(handle, original.jobId(), aggregates);
            write(handle, folded, aggregates, rollups);
            RecordResult result = folded.results().get(0);
            int restarts = original.restarts() + 1;
            handle.createUpdate("update " + jobs + " set restarts = :restarts, restarted_from = :restarted_from where job_id = :job_id")
                    .bind("restarts", restarts).bind("restarted_from", original.jobId()).bind("job_id", queued.jobId()).execute();
            return new RecordResult(result.outcome(), result.job().withRestarts(restarts));
        });
    }
}
