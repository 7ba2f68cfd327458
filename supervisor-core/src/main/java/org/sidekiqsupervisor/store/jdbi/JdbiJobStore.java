package org.sidekiqsupervisor.store.jdbi;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

import java.nio.file.Files;
import java.nio.file.Path;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.sidekiqsupervisor.model.Activity;
import org.sidekiqsupervisor.model.AuditEntry;
import org.sidekiqsupervisor.model.DurationPage;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationSummaries;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobProgress;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.store.IngestJournal;
import org.sidekiqsupervisor.store.JobStore;
import org.sidekiqsupervisor.store.StoreException;
import org.sidekiqsupervisor.store.StoreSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link JobStore} on a relational database through JDBI: H2 (embedded, the default) or PostgreSQL.
 *
 * <p>The schema is created and upgraded by Flyway with its own history table
 * ({@code supervisor_schema_history}, or the configured prefix's) and migration location, so a host
 * application's own Flyway in the same database is left alone. Thread-safe; several processes may share one database: each event locks its
 * job's row ({@code select ... for update}) and a transaction that loses a race to create a job is
 * retried. A set of job ids is bound as one array ({@code job_id = any(:ids)}), not an IN list: one statement text
 * whatever the number of ids, so each connection prepares it once, and no limit on how many there are.
 *
 * <p>The work is split by concern, in classes of this package: {@code StoreSchemaMigrator} (the schema),
 * {@code Transactions} (how statements run and races are retried), {@code EventWriter} (events, progress and restarts),
 * {@code JobReads}, {@code DurationReads}, {@code JobDeletions}, {@code ActivityStatistics} (the overview, from the rollups
 * that {@code Rollups} writes with the events), {@code RollupRetention}, {@code RollupFolding} and {@code LookMarks};
 * this class hands each call to its part.
 */
public final class JdbiJobStore implements JobStore {
    /** Where the migrations live on the classpath: {@code common/} for every database, {@code postgresql/} for it alone. */
    public static final String MIGRATIONS = "classpath:org/sidekiqsupervisor/store/jdbi/migration";
    /** The version of the newest migration: the schema this code reads and writes. */
    public static final String SCHEMA_VERSION = "19";

    private static final Logger LOG = LoggerFactory.getLogger(JdbiJobStore.class);
    /**
     * The most an H2 file that is mostly garbage may be compacted for when the store closes (judged before, from what
     * is live in it): on top of the requests a stopping server lets finish.
     */
    public static final Duration CLOSE_COMPACT_TIME = Duration.ofSeconds(20);

    /**
     * How often the store folds the pending rollups into the rollups (see {@link Rollups}): what the overview adds
     * from pending rows stays about this long's worth of transactions.
     */
    static final Duration PENDING_FOLD_INTERVAL = Duration.ofSeconds(1);
    /** The most pending rows one background pass folds (then it waits its interval): a few seconds of a busy store's. */
    static final long PENDING_FOLD_MAX_ROWS = 50L * RollupFolding.PENDING_BATCH;

    private final AutoCloseable onClose;
    private final Database database;
    private final DataSource dataSource;
    private final EventWriter writer;
    private final JobReads jobReads;
    private final DurationReads durationReads;
    private final JobDeletions deletions;
    private final ActivityStatistics statistics;
    private final RollupRetention rollupRetention;
    private final RollupFolding rollupFolding;
    private final LookMarks lookMarks;
    private final AuditLog auditLog;
    /** H2's index of the arguments filter; null on PostgreSQL. */
    private final ArgumentsIndex argumentsIndex;
    /** An H2 file's ingest journal; null where events are acknowledged once committed. */
    private final JournaledIngest journal;
    /** Folds the pending rollups every {@link #PENDING_FOLD_INTERVAL}; null where the caller folds them itself. */
    private final ScheduledExecutorService pendingFolder;

    private JdbiJobStore(DataSource dataSource, StoreSchema schema, AutoCloseable onClose, Database database,
                         IngestJournal ingestJournal, boolean keepRollups, boolean foldPendingInBackground) {
        Jdbi jdbi = Jdbi.create(dataSource);
        this.dataSource = dataSource;
        this.onClose = onClose;
        this.database = database;
        Transactions transactions = new Transactions(jdbi, database);
        // PostgreSQL serves the arguments filter from pg_trgm's index; H2 from a Lucene index beside its file.
        this.argumentsIndex = database.postgres() ? null : ArgumentsIndex.open(jdbi, schema);
        this.deletions = new JobDeletions(transactions, schema, argumentsIndex);
        this.writer = new EventWriter(transactions, deletions, schema, database.postgres(), argumentsIndex, keepRollups);
        this.jobReads = new JobReads(transactions, schema, database, argumentsIndex);
        this.durationReads = new DurationReads(transactions, schema, database, argumentsIndex);
        this.statistics = new ActivityStatistics(transactions, schema);
        this.rollupRetention = new RollupRetention(transactions, schema);
        this.rollupFolding = new RollupFolding(transactions, schema, database.postgres());
        this.lookMarks = new LookMarks(transactions, schema, database);
        this.auditLog = new AuditLog(transactions, schema);
        Path journalDirectory = ingestJournal == IngestJournal.OFF || database.postgres() ? null : journalDirectory(jdbi, schema);
        try {
            this.journal = journalDirectory == null ? null : JournaledIngest.open(writer, journalDirectory, ingestJournal,
                    () -> jdbi.useHandle(handle -> handle.execute("checkpoint sync")));
        } catch (RuntimeException e) {
            if (argumentsIndex != null) {
                argumentsIndex.close();
            }
            throw e;
        }
        this.pendingFolder = foldPendingInBackground ? startPendingFolder() : null;
    }

    /** One daemon thread per store: a fold is a short transaction a second, and does nothing when nothing is pending. */
    private ScheduledExecutorService startPendingFolder() {
        ScheduledExecutorService folder = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "supervisor-rollups");
            thread.setDaemon(true);
            return thread;
        });
        long intervalMs = PENDING_FOLD_INTERVAL.toMillis();
        folder.scheduleWithFixedDelay(() -> {
            try {
                rollupFolding.foldPending(PENDING_FOLD_MAX_ROWS);
            } catch (RuntimeException e) {
                // The rows stay pending (the transaction rolled back) and reads still count them: the next pass folds them.
                LOG.warn("could not fold the pending rollups: {}", e.getMessage());
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        return folder;
    }

    /**
     * Folds every pending timing row into the timing rollups now (see {@link RollupFolding#foldPending}): for the
     * benchmark, whose stores fold only when it says, and tests.
     *
     * @return how many pending rows were folded
     */
    long foldPendingRollups() {
        return rollupFolding.foldPending(Long.MAX_VALUE);
    }

    /**
     * Where an H2 file keeps its ingest journal: beside it ({@code <file>.<prefix>journal}); null for a database in
     * memory, over TCP, and for one that other processes open too ({@code AUTO_SERVER}, known by the lock file H2 then
     * keeps, naming its server), whose writes the journal would not see.
     */
    private static Path journalDirectory(Jdbi jdbi, StoreSchema schema) {
        return jdbi.withHandle(handle -> {
            String url;
            try {
                url = handle.getConnection().getMetaData().getURL();
            } catch (java.sql.SQLException e) {
                throw new StoreException("the database's URL could not be read: " + e.getMessage(), e);
            }
            String path = handle.createQuery("select database_path()").mapTo(String.class).findOne().orElse(null);
            if (path == null || url == null || url.startsWith("jdbc:h2:tcp:") || url.startsWith("jdbc:h2:ssl:")
                    || sharedWithOtherProcesses(Path.of(path + ".lock.db"))) {
                return null;
            }
            return Path.of(path + "." + schema.tablePrefix() + "journal");
        });
    }

    private static boolean sharedWithOtherProcesses(Path lockFile) {
        try {
            return Files.exists(lockFile) && Files.readString(lockFile, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .lines().anyMatch(line -> line.startsWith("server="));
        } catch (java.io.IOException e) {
            return true;
        }
    }

    /**
     * Opens the store on {@code dataSource}, first migrating, validating or leaving alone its schema as
     * {@code schema} says.
     *
     * @param onClose what {@link #close()} releases (the pool the caller made for the store), or null
     * @throws StoreException when the database does not answer, or the schema is not current (validate) or
     *                        cannot be migrated
     */
    public static JdbiJobStore open(DataSource dataSource, StoreSchema schema, AutoCloseable onClose) {
        return open(dataSource, schema, onClose, IngestJournal.DEFAULT);
    }

    /**
     * {@link #open(DataSource, StoreSchema, AutoCloseable)} with the ingest journal as {@code ingestJournal} says (an H2
     * file only: see {@link IngestJournal}). A journal that a crash left is applied before this returns.
     */
    public static JdbiJobStore open(DataSource dataSource, StoreSchema schema, AutoCloseable onClose, IngestJournal ingestJournal) {
        StoreSchemaMigrator.prepare(dataSource, schema);
        return new JdbiJobStore(dataSource, schema, onClose, Database.of(dataSource), ingestJournal, true, true);
    }

    /**
     * For the benchmark of what the rollups cost the write path: a store that folds its pending rollups only when
     * {@link #foldPendingRollups} is called (so that the benchmark times the folding with the writes that made it), and
     * with {@code keepRollups} false, the baseline: batches adding nothing to the rollups, as before V13 (its overview
     * reads nothing). Everything else is as {@link #open} makes it.
     */
    static JdbiJobStore openForWritePath(DataSource dataSource, StoreSchema schema, AutoCloseable onClose, IngestJournal ingestJournal,
                                         boolean keepRollups) {
        StoreSchemaMigrator.prepare(dataSource, schema);
        return new JdbiJobStore(dataSource, schema, onClose, Database.of(dataSource), ingestJournal, keepRollups, false);
    }

    /** {@link #open(DataSource, StoreSchema, AutoCloseable)} with the default schema: prefix supervisor_, migrate. */
    public static JdbiJobStore open(DataSource dataSource, AutoCloseable onClose) {
        return open(dataSource, StoreSchema.DEFAULT, onClose);
    }

    /**
     * The supervisor's Flyway configuration for {@code dataSource}: its own history table and migration locations
     * (the common ones, and PostgreSQL's own on PostgreSQL), table names through the {@code prefix} placeholder.
     * A host that manages the schema itself ({@link StoreSchema.Mode#NONE}) can run it from here.
     */
    public static Flyway flyway(DataSource dataSource, StoreSchema schema) {
        return StoreSchemaMigrator.flyway(dataSource, schema);
    }

    @Override
    public List<RecordResult> record(List<JobEvent> events, Instant receivedAt) {
        return journal == null ? writer.record(events, receivedAt) : journal.record(events, receivedAt);
    }

    @Override
    public Optional<Job> recordProgress(String jobId, JobProgress progress) {
        return exclusive(List.of(jobId), false, () -> writer.recordProgress(jobId, progress));
    }

    @Override
    public Optional<JobDetails> details(String jobId) {
        caughtUp();
        return jobReads.details(jobId);
    }

    @Override
    public JobPage query(JobQuery query) {
        caughtUp();
        return jobReads.query(query);
    }

    @Override
    public DurationPage durationPage(DurationQuery query) {
        caughtUp();
        return durationReads.durationPage(query);
    }

    @Override
    public DurationSummaries durationSummaries(DurationQuery query) {
        caughtUp();
        return durationReads.durationSummaries(query);
    }

    @Override
    public Map<JobStatus, Long> countByStatus() {
        caughtUp();
        return jobReads.countByStatus();
    }

    @Override
    public boolean swapRestartClaim(String jobId, String expectedClaim, String newClaim, Instant at) {
        return exclusive(List.of(jobId), false, () -> writer.swapRestartClaim(jobId, expectedClaim, newClaim, at));
    }

    @Override
    public int recordLook(Instant lookStartedAt, Predicate<String> held, Duration lostAfter, Consumer<Job> newlyLost) {
        // A look marks what it finds missing as of the events acknowledged before it; an event clears the marks, in the
        // journal's folds as in the store's, so the looks need not hold off new events.
        caughtUp();
        return lookMarks.recordLook(lookStartedAt, held, lostAfter, newlyLost);
    }

    @Override
    public RecordResult completeRestart(Job original, JobEvent queued, Instant receivedAt) {
        return exclusive(List.of(original.jobId(), queued.jobId()), true, () -> writer.completeRestart(original, queued, receivedAt));
    }

    @Override
    public long prune(Instant before, int limit, boolean dryRun) {
        if (dryRun) {
            caughtUp();
            return deletions.prune(before, limit, true);
        }
        return deleting(null, () -> deletions.prune(before, limit, false));
    }

    @Override
    public List<String> delete(List<Job> jobs) {
        return deleting(jobs.stream().map(Job::jobId).toList(), () -> deletions.delete(jobs));
    }

    @Override
    public Activity activity(Instant since, Instant now, Duration bucket, int maxClasses) {
        caughtUp();
        return statistics.activity(since, now, bucket, maxClasses);
    }

    @Override
    public long pruneRollups(Instant before) {
        caughtUp();
        // What is still pending goes into its buckets first, so that it is forgotten with them.
        rollupFolding.foldPending(Long.MAX_VALUE);
        long forgotten = rollupRetention.prune(before);
        statistics.forgetSettled();
        return forgotten;
    }

    /**
     * The pending rows first (as the store's own thread folds them every second), then, on PostgreSQL, the shards of
     * ended buckets (written before V19: on H2 every transaction added to shard 0, see {@link Rollups#POSTGRES_SHARDS}).
     */
    @Override
    public long foldRollups(Instant endedBefore) {
        long pending = rollupFolding.foldPending(Long.MAX_VALUE);
        return pending + (database.postgres() ? rollupFolding.fold(endedBefore) : 0);
    }

    /**
     * PostgreSQL commits concurrent transactions in parallel (and flushes them to disk together): two writers. H2 writes
     * one commit at a time; measured with the ingest benchmark, a second writer there only waits on the first one's rows
     * (per-event endpoints 1,368 events/s with two writers, 2,004 with one; batch 20,131 and 27,783), while on PostgreSQL
     * two writers took the batch endpoint from 19,801 to 31,430 events/s.
     */
    @Override
    public AuditEntry recordAudit(AuditEntry entry) {
        return auditLog.record(entry);
    }

    @Override
    public List<AuditEntry> audit(int limit, Long beforeId) {
        return auditLog.page(limit, beforeId);
    }

    @Override
    public long unappliedEvents() {
        return journal == null ? 0 : journal.pendingEvents();
    }

    @Override
    public int concurrentWriters() {
        return database.postgres() ? 2 : 1;
    }

    /** See {@link H2FileSpace}: an H2 file is compacted; PostgreSQL's autovacuum reuses the space by itself. */
    @Override
    public long reclaimSpace(Duration maxTime) {
        long[] sizes = database.postgres() ? null : H2FileSpace.compact(dataSource, maxTime);
        return sizes == null ? -1 : Math.max(0, sizes[0] - sizes[1]);
    }

    /** Waits until the ingest journal (if any) has applied every event acknowledged before this call. */
    private void caughtUp() {
        if (journal != null) {
            journal.awaitApplied();
        }
    }

    /** A write other than the events: see {@link JournaledIngest#exclusive}. */
    private <T> T exclusive(java.util.Collection<String> jobIds, boolean deletes, java.util.function.Supplier<T> write) {
        return journal == null ? write.get() : journal.exclusive(jobIds, deletes, write);
    }

    /** A deletion of jobs: see {@link JournaledIngest#deleting}. */
    private <T> T deleting(java.util.Collection<String> jobIds, java.util.function.Supplier<T> write) {
        return journal == null ? write.get() : journal.deleting(jobIds, write);
    }

    /** The ingest journal (null without one): for tests. */
    JournaledIngest journal() {
        return journal;
    }

    /** H2's index of the arguments filter (null on PostgreSQL): for tests. */
    ArgumentsIndex argumentsIndex() {
        return argumentsIndex;
    }

    @Override
    public void close() {
        if (pendingFolder != null) {
            // A fold in progress finishes (a short transaction); what is still pending is folded after the next start.
            pendingFolder.shutdown();
            try {
                if (!pendingFolder.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("the pending rollups' fold did not end within 10 s; closing the store under it");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (journal != null) {
            journal.close();
        }
        if (argumentsIndex != null) {
            argumentsIndex.close();
        }
        // Only a database the store's own pool opened: a host's data source may have other users.
        if (onClose != null && !database.postgres()) {
            String compacted = H2FileSpace.compactOnClose(dataSource, CLOSE_COMPACT_TIME);
            if (compacted != null) {
                LOG.info(compacted);
            }
        }
        if (onClose != null) {
            try {
                onClose.close();
            } catch (Exception e) {
                LOG.warn("closing the store's data source failed", e);
            }
        }
    }
}
