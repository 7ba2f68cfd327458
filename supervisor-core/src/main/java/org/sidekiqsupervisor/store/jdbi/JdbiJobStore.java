package org.sidekiqsupervisor.store.jdbi;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.sidekiqsupervisor.internal.Failures;
import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.ClassTimings;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationPage;
import org.sidekiqsupervisor.model.DurationSummaries;
import org.sidekiqsupervisor.model.DurationSummary;
import org.sidekiqsupervisor.model.EventCount;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobDuration;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobEventRecord;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobProgress;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.PageCursor;
import org.sidekiqsupervisor.model.RecordResult;
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
 */
public final class JdbiJobStore implements JobStore {
    /** Where the migrations live on the classpath: {@code common/} for every database, {@code postgresql/} for it alone. */
    public static final String MIGRATIONS = "classpath:org/sidekiqsupervisor/store/jdbi/migration";
    /** How many times a transaction that lost a race (duplicate key, deadlock) is tried again. */
    static final int MAX_TRIES = 5;
    /** The version of the newest migration: the schema this code reads and writes. */
    public static final String SCHEMA_VERSION = "8";
    /** A filtered query first looks for its page among this many of the newest jobs that meet its other criteria. */
    static final int FILTER_PROBE_ROWS = 1000;
    /** At most this many job classes are summarised in a duration report. */
    static final int MAX_CLASSES = 1000;
    /** SQL states of races that a new try resolves: unique violation, serialization failure, deadlock,
     * and H2's concurrent update and lock timeout. */
    private static final Set<String> RETRYABLE_STATES = Set.of("23505", "40001", "40P01", "90131", "HYT00");

    private static final Logger LOG = LoggerFactory.getLogger(JdbiJobStore.class);
    private static final String JOB_COLUMNS = "job_id, job_class, queue, arguments, status, status_us, queued_us, started_us, "
            + "completed_us, failed_us, attempts, error_class, error_message, restarted_from, activity_us, created_us, restarts, "
            + "restarting_to";

    /** What every read of a job selects: its columns, and the progress it reported. */
    private static final String JOB_SELECT = JOB_COLUMNS + ", progress_at, progress_total, progress_message, progress_us";

    private final Jdbi jdbi;
    private final AutoCloseable onClose;
    private final String jobs;
    private final String events;
    private final String counts;
    private final String durations;
    private final Database database;

    private JdbiJobStore(Jdbi jdbi, StoreSchema schema, AutoCloseable onClose, Database database) {
        this.database = database;
        this.jdbi = jdbi;
        this.onClose = onClose;
        this.jobs = schema.jobsTable();
        this.events = schema.eventsTable();
        this.counts = schema.countsTable();
        this.durations = schema.durationsTable();
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
        switch (schema.mode()) {
            case MIGRATE -> {
                // Flyway takes about half a second to start; a store already at this version does not need it.
                if (!isCurrent(dataSource, schema)) {
                    run(dataSource, schema, flyway -> flyway.migrate());
                }
            }
            case VALIDATE -> run(dataSource, schema, flyway -> {
                flyway.validate();
                return null;
            });
            case NONE -> LOG.debug("schema mode none: the supervisor's tables are managed by the host");
        }
        return new JdbiJobStore(Jdbi.create(dataSource), schema, onClose, Database.of(dataSource));
    }

    /** What the store needs to know of its database, read from one connection when it opens. */
    private record Database(boolean postgres, boolean readCommittedByDefault) {
        static Database of(DataSource dataSource) {
            try (java.sql.Connection connection = dataSource.getConnection()) {
                return new Database(isPostgres(connection),
                        connection.getTransactionIsolation() == java.sql.Connection.TRANSACTION_READ_COMMITTED);
            } catch (SQLException e) {
                throw new StoreException("the store did not answer: " + Failures.rootMessage(e), e);
            }
        }
    }

    /**
     * A transaction at READ COMMITTED, the level every write here is made for (row locks, then retries of lost races).
     * Jdbi's {@code inTransaction(level, ...)} asks the connection for its level before and after every transaction,
     * and the PostgreSQL driver asks the server each time: six round trips a transaction (seen in pg_stat_statements;
     * without them the seed benchmark on PostgreSQL recorded 15-18 % more events a second). So when the connections are
     * READ COMMITTED already (PostgreSQL's and H2's default, and what the supervisor's own pool sets) the level is left
     * as it is; a host's data source at another level gets READ COMMITTED for each transaction, and its level back.
     */
    private <R> R readCommitted(HandleCallback<R, RuntimeException> callback) {
        return database.readCommittedByDefault() ? jdbi.inTransaction(callback)
                : jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, callback);
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
        List<String> locations = new ArrayList<>(List.of(MIGRATIONS + "/common"));
        if (isPostgres(dataSource)) {
            locations.add(MIGRATIONS + "/postgresql");
        }
        return Flyway.configure(JdbiJobStore.class.getClassLoader())
                .dataSource(dataSource)
                .table(schema.historyTable())
                .locations(locations.toArray(String[]::new))
                .javaMigrations(new DurationBucketsMigration(schema.tablePrefix()),
                        new EventIdCacheMigration(schema.tablePrefix()))
                .placeholders(Map.of("prefix", schema.tablePrefix()))
                // A host database with its own tables: keep them, and still run our V1.
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load();
    }

    /**
     * Whether the schema history says every migration up to {@link #SCHEMA_VERSION} succeeded. False when there is no
     * history yet, or it cannot be read: Flyway then decides (and reports what is wrong).
     */
    static boolean isCurrent(DataSource dataSource, StoreSchema schema) {
        // Flyway names its history table and columns in quotes, lower case, on H2 and PostgreSQL alike.
        String sql = "select \"version\", \"success\" from \"" + schema.historyTable() + "\"";
        try (java.sql.Connection connection = dataSource.getConnection();
             java.sql.Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            boolean current = false;
            while (rows.next()) {
                if (!rows.getBoolean("success")) {
                    return false;
                }
                current |= SCHEMA_VERSION.equals(rows.getString("version"));
            }
            return current;
        } catch (SQLException e) {
            return false;
        }
    }

    private static void run(DataSource dataSource, StoreSchema schema, java.util.function.Function<Flyway, Object> action) {
        try {
            action.apply(flyway(dataSource, schema));
        } catch (FlywayException e) {
            throw new StoreException("the supervisor's schema (" + schema.tablePrefix() + "*) "
                    + (schema.mode() == StoreSchema.Mode.VALIDATE ? "is not current" : "could not be migrated") + ": "
                    + Failures.rootMessage(e), e);
        }
    }

    private static boolean isPostgres(DataSource dataSource) {
        try (java.sql.Connection connection = dataSource.getConnection()) {
            return isPostgres(connection);
        } catch (SQLException e) {
            throw new StoreException("the store did not answer: " + Failures.rootMessage(e), e);
        }
    }

    private static boolean isPostgres(java.sql.Connection connection) throws SQLException {
        return connection.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
    }

    @Override
    public List<RecordResult> record(List<JobEvent> events, Instant receivedAt) {
        if (events.isEmpty()) {
            return List.of();
        }
        return withRetries(() -> readCommitted(handle -> {
            Aggregates aggregates = new Aggregates();
            List<RecordResult> results = applyEvents(handle, events, receivedAt, aggregates);
            aggregates.write(handle, counts, durations);
            return results;
        }));
    }

    /**
     * Applies a batch of events in a few statements, however many there are: lock the batch's job rows (in job-id
     * order, so that concurrent batches cannot deadlock), read which events are recorded already, fold the events
     * in memory (in the given order within each job), then write the new events, new jobs and changed jobs as
     * JDBC batches. A concurrent transaction that created one of the same jobs first makes the insert fail with a
     * unique violation, and the caller tries the whole transaction again.
     */
    private List<RecordResult> applyEvents(Handle handle, List<JobEvent> batch, Instant receivedAt, Aggregates aggregates) {
        long receivedUs = Times.toMicros(receivedAt);
        List<String> ids = batch.stream().map(JobEvent::jobId).distinct().sorted().toList();
        Map<String, Job> state = new HashMap<>();
        handle.createQuery("select " + JOB_SELECT + " from " + jobs + " where job_id = any(:ids) order by job_id for update")
                .bindArray("ids", String.class, ids).map(JdbiJobStore::mapJob).forEach(job -> state.put(job.jobId(), job));
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
            state.put(event.jobId(), next);
            changed.add(event.jobId());
            results[i] = new RecordResult(current == null ? RecordResult.Outcome.CREATED : RecordResult.Outcome.UPDATED, next);
        }
        if (newEvents.size() > 0) {
            newEvents.execute();
        }
        PreparedBatch inserts = handle.prepareBatch("insert into " + jobs + " (" + JOB_COLUMNS + ") values (:job_id, :job_class, "
                + ":queue, :arguments, :status, :status_us, :queued_us, :started_us, :completed_us, :failed_us, :attempts, "
                + ":error_class, :error_message, :restarted_from, :activity_us, :created_us, 0, null)");
        PreparedBatch updates = handle.prepareBatch("update " + jobs + " set job_class = :job_class, queue = :queue, "
                + "arguments = :arguments, status = :status, status_us = :status_us, queued_us = :queued_us, "
                + "started_us = :started_us, completed_us = :completed_us, failed_us = :failed_us, attempts = :attempts, "
                + "error_class = :error_class, error_message = :error_message, restarted_from = :restarted_from, "
                + "activity_us = :activity_us where job_id = :job_id");
        for (String jobId : ids) {
            if (changed.contains(jobId)) {
                Job job = state.get(jobId);
                bindJob(existing.contains(jobId) ? updates : inserts, job).add();
                Job was = before.get(jobId);
                if (was != null) {
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
        return List.of(results);
    }

    private static PreparedBatch bindJob(PreparedBatch statement, Job job) {
        return statement.bind("job_id", job.jobId()).bind("job_class", job.jobClass()).bind("queue", job.queue())
                .bind("arguments", job.arguments()).bind("status", job.status().wireName())
                .bind("status_us", Times.toMicros(job.statusAt()))
                .bind("queued_us", Times.toMicrosOrNull(job.queuedAt()))
                .bind("started_us", Times.toMicrosOrNull(job.startedAt()))
                .bind("completed_us", Times.toMicrosOrNull(job.completedAt()))
                .bind("failed_us", Times.toMicrosOrNull(job.failedAt()))
                .bind("attempts", job.attempts())
                .bind("error_class", job.errorClass()).bind("error_message", job.errorMessage())
                .bind("restarted_from", job.restartedFrom())
                .bind("activity_us", Times.toMicros(job.activityAt()))
                .bind("created_us", Times.toMicros(job.createdAt()));
    }

    private static String eventKey(String jobId, long atUs, String status) {
        return jobId + '\u0000' + atUs + '\u0000' + status;
    }

    @Override
    public Optional<Job> find(String jobId) {
        return call(() -> jdbi.withHandle(handle -> handle
                .createQuery("select " + JOB_SELECT + " from " + jobs + " where job_id = :job_id")
                .bind("job_id", jobId).map(JdbiJobStore::mapJob).findOne()));
    }

    @Override
    public Optional<JobDetails> details(String jobId) {
        return call(() -> readCommitted(handle -> handle
                .createQuery("select " + JOB_SELECT + " from " + jobs + " where job_id = :job_id")
                .bind("job_id", jobId).map(JdbiJobStore::mapJob).findOne()
                .map(job -> new JobDetails(job, handle.createQuery(
                                "select status, at_us, received_us, error_class, error_message from " + events + " "
                                        + "where job_id = :job_id order by at_us, event_id")
                        .bind("job_id", jobId)
                        .map((rs, ctx) -> new JobEventRecord(JobStatus.fromWireName(rs.getString("status"), "status"),
                                Times.fromMicros(rs.getLong("at_us")), Times.fromMicros(rs.getLong("received_us")),
                                rs.getString("error_class"), rs.getString("error_message")))
                        .list()))));
    }

    @Override
    public JobPage query(JobQuery query) {
        Conditions where = new Conditions()
                .equal("status", query.status() == null ? null : query.status().wireName())
                .equal("job_class", query.jobClass())
                .equal("queue", query.queue())
                .activityFrom(query.since(), query.until())
                .startedBefore(query.startedBefore())
                .after(query.cursor());
        String order = newestFirst(query.status() != null ? "status" : query.jobClass() != null ? "job_class"
                : query.queue() != null ? "queue" : null);
        List<Job> rows = null;
        if (query.filter() != null) {
            // A filter that many jobs match fills its page from the newest thousand jobs: look there first, in
            // activity order, instead of letting the database gather every match (PostgreSQL's trigram index would
            // hand it all million) and sort them. Only a page it fills is its answer; else the full query below.
            Conditions newest = new Conditions().argumentsContain(query.filter());
            String probe = "select " + JOB_SELECT + " from (select " + JOB_SELECT + " from " + jobs + where.sql() + order
                    + " limit " + FILTER_PROBE_ROWS + ") newest" + newest.sql() + order + " limit :limit";
            List<Job> found = call(() -> jdbi.withHandle(handle -> newest.bindTo(where.bindTo(handle.createQuery(probe)))
                    .bind("limit", query.limit() + 1).map(JdbiJobStore::mapJob).list()));
            if (found.size() > query.limit()) {
                rows = found;
            }
        }
        if (rows == null) {
            Conditions all = where.argumentsContain(query.filter());
            String sql = "select " + JOB_SELECT + " from " + jobs + all.sql() + order + " limit :limit";
            rows = call(() -> jdbi.withHandle(handle -> all.bindTo(handle.createQuery(sql))
                    .bind("limit", query.limit() + 1)
                    .map(JdbiJobStore::mapJob).list()));
        }
        boolean more = rows.size() > query.limit();
        List<Job> shown = more ? rows.subList(0, query.limit()) : rows;
        return new JobPage(shown, more ? PageCursor.after(shown.get(shown.size() - 1)) : null);
    }

    /**
     * Newest activity first. {@code equalColumn}, a column the query fixes to one value (or null), leads the ORDER BY:
     * it changes nothing in the order, but H2 reads its (column, activity, job id) index in order only when the ORDER
     * BY names the index's columns from the first; otherwise it reads every row of that status and sorts them.
     */
    private static String newestFirst(String equalColumn) {
        return " order by " + (equalColumn == null ? "" : equalColumn + ", ") + "activity_us desc, job_id desc";
    }

    @Override
    public DurationPage durationPage(DurationQuery query) {
        if (query.limit() == 0) {
            return new DurationPage(List.of(), null);
        }
        String start = startColumn(query);
        Conditions where = completedWith(query).after(query.cursor());
        String sql = "select job_id, job_class, queue, activity_us, (completed_us - " + start + ") as duration_us "
                + "from " + jobs + where.sql() + newestFirst("status") + " limit :limit";
        List<DurationRow> rows = call(() -> jdbi.withHandle(handle -> where.bindTo(handle.createQuery(sql))
                .bind("limit", query.limit() + 1)
                .map((rs, ctx) -> new DurationRow(new JobDuration(rs.getString("job_id"), rs.getString("job_class"),
                        rs.getString("queue"), Duration.ofNanos(Math.multiplyExact(rs.getLong("duration_us"), 1000L))),
                        new PageCursor(Times.fromMicros(rs.getLong("activity_us")), rs.getString("job_id"))))
                .list()));
        boolean more = rows.size() > query.limit();
        List<DurationRow> shown = more ? rows.subList(0, query.limit()) : rows;
        return new DurationPage(shown.stream().map(DurationRow::duration).toList(),
                more ? shown.get(shown.size() - 1).cursor() : null);
    }

    /**
     * Summaries over every complete job, or one class, come from the duration buckets kept beside the jobs (a read of
     * at most a few thousand rows per class, whatever the number of jobs; percentiles within a bucket's width, 1.6 %).
     * A filter on the arguments or the queue is not in the buckets: those summaries scan the matching jobs, exactly.
     */
    @Override
    public DurationSummaries durationSummaries(DurationQuery query) {
        return query.filter() == null && query.queue() == null ? summariesFromBuckets(query) : scannedSummaries(query);
    }

    private DurationSummaries summariesFromBuckets(DurationQuery query) {
        String sql = "select job_class, bucket, sum(jobs) as n, sum(total_us) as total_us, min(min_us) as min_us, "
                + "max(max_us) as max_us from " + durations + " where measured_from = :measured_from"
                + (query.jobClass() == null ? "" : " and job_class = :job_class") + " group by job_class, bucket";
        Map<String, DurationHistogram> histograms = new HashMap<>();
        call(() -> jdbi.withHandle(handle -> {
            Query read = handle.createQuery(sql).bind("measured_from", Aggregates.fromKey(query.from()));
            if (query.jobClass() != null) {
                read.bind("job_class", query.jobClass());
            }
            read.map((rs, ctx) -> histograms.computeIfAbsent(rs.getString("job_class"), k -> new DurationHistogram())
                    .add(rs.getInt("bucket"), rs.getLong("n"), rs.getLong("total_us"), nullableLong(rs, "min_us"),
                            nullableLong(rs, "max_us"))).list();
            return null;
        }));
        DurationHistogram all = new DurationHistogram();
        histograms.values().forEach(all::addAll);
        Map<String, DurationSummary> byClass = new LinkedHashMap<>();
        histograms.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue().summary()))
                .filter(e -> e.getValue().count() > 0)
                .sorted(Map.Entry.<String, DurationSummary>comparingByValue(
                        Comparator.comparingLong(DurationSummary::count).reversed()).thenComparing(Map.Entry.comparingByKey()))
                .limit(MAX_CLASSES)
                .forEach(e -> byClass.put(e.getKey(), e.getValue()));
        return new DurationSummaries(all.summary(), Collections.unmodifiableMap(byClass));
    }

    private DurationSummaries scannedSummaries(DurationQuery query) {
        Conditions where = completedWith(query);
        String statistics = "count(*) as n, avg(d) as mean_us, max(d) as max_us, "
                + "percentile_cont(0.5) within group (order by d) as p50_us, "
                + "percentile_cont(0.95) within group (order by d) as p95_us, "
                + "percentile_cont(0.99) within group (order by d) as p99_us";
        // Microseconds as BIGINT, not DOUBLE: H2's percentile_cont fails on some sets of DOUBLE values ("scale -2").
        String durations = "(select job_class, completed_us - " + startColumn(query) + " as d "
                + "from " + jobs + where.sql() + ") durations";
        String overallSql = "select " + statistics + " from " + durations;
        String byClassSql = "select job_class, " + statistics + " from " + durations
                + " group by job_class order by count(*) desc, job_class limit " + MAX_CLASSES;
        return call(() -> readCommitted(handle -> {
            DurationSummary overall = where.bindTo(handle.createQuery(overallSql)).map((rs, ctx) -> summary(rs)).one();
            Map<String, DurationSummary> byClass = new LinkedHashMap<>();
            where.bindTo(handle.createQuery(byClassSql)).map((rs, ctx) -> {
                String jobClass = rs.getString("job_class");
                byClass.put(jobClass == null ? "" : jobClass, summary(rs));
                return jobClass;
            }).list();
            return new DurationSummaries(overall, Collections.unmodifiableMap(byClass));
        }));
    }

    private static String startColumn(DurationQuery query) {
        return query.from() == DurationFrom.QUEUED ? "queued_us" : "started_us";
    }

    private static Conditions completedWith(DurationQuery query) {
        return new Conditions()
                .equal("status", JobStatus.COMPLETE.wireName())
                .notNull(startColumn(query))
                .equal("job_class", query.jobClass())
                .equal("queue", query.queue())
                .argumentsContain(query.filter());
    }

    private record DurationRow(JobDuration duration, PageCursor cursor) {
    }

    private static DurationSummary summary(ResultSet rs) throws SQLException {
        long count = rs.getLong("n");
        if (count == 0) {
            return DurationSummary.EMPTY;
        }
        return new DurationSummary(count, rs.getDouble("mean_us") / 1000.0, rs.getDouble("p50_us") / 1000.0,
                rs.getDouble("p95_us") / 1000.0, rs.getDouble("p99_us") / 1000.0, rs.getDouble("max_us") / 1000.0);
    }

    @Override
    public boolean claimRestart(String jobId, String newJobId) {
        return call(() -> jdbi.withHandle(handle -> handle.createUpdate(
                        "update " + jobs + " set restarting_to = :new_job_id "
                                + "where job_id = :job_id and status = :started and restarting_to is null")
                .bind("new_job_id", newJobId).bind("job_id", jobId).bind("started", JobStatus.STARTED.wireName())
                .execute() == 1));
    }

    @Override
    public void releaseRestart(String jobId, String newJobId) {
        call(() -> jdbi.withHandle(handle -> handle.createUpdate(
                        "update " + jobs + " set restarting_to = null where job_id = :job_id and restarting_to = :new_job_id")
                .bind("job_id", jobId).bind("new_job_id", newJobId).execute()));
    }

    @Override
    public RecordResult completeRestart(Job original, JobEvent queued, Instant receivedAt) {
        return withRetries(() -> readCommitted(handle -> {
            // The replacement may already have reported in (Sidekiq can start it before this commits).
            Aggregates aggregates = new Aggregates();
            RecordResult result = applyEvents(handle, List.of(queued), receivedAt, aggregates).get(0);
            int restarts = original.restarts() + 1;
            handle.createUpdate("update " + jobs + " set restarts = :restarts, restarted_from = :restarted_from where job_id = :job_id")
                    .bind("restarts", restarts).bind("restarted_from", original.jobId()).bind("job_id", queued.jobId()).execute();
            leaveDeleted(handle, List.of(original.jobId()), aggregates);
            handle.createUpdate("delete from " + events + " where job_id = :job_id").bind("job_id", original.jobId()).execute();
            handle.createUpdate("delete from " + jobs + " where job_id = :job_id").bind("job_id", original.jobId()).execute();
            aggregates.write(handle, counts, durations);
            return new RecordResult(result.outcome(), result.job().withRestarts(restarts));
        }));
    }

    @Override
    public int pruneBatch(Instant before, int limit) {
        return withRetries(() -> readCommitted(handle -> {
            // Lock the batch first: an event arriving for one of these jobs waits for the delete, then starts afresh.
            Aggregates aggregates = new Aggregates();
            List<String> ids = handle.createQuery("select " + AGGREGATED_COLUMNS + " from " + jobs
                            + " where status in (:complete, :failed) and activity_us < :before order by activity_us limit :limit for update")
                    .bind("complete", JobStatus.COMPLETE.wireName()).bind("failed", JobStatus.FAILED.wireName())
                    .bind("before", Times.toMicros(before)).bind("limit", limit)
                    .map((rs, ctx) -> leave(rs, aggregates)).list();
            if (ids.isEmpty()) {
                return 0;
            }
            handle.createUpdate("delete from " + events + " where job_id = any(:ids)").bindArray("ids", String.class, ids).execute();
            int deleted = handle.createUpdate("delete from " + jobs + " where job_id = any(:ids)").bindArray("ids", String.class, ids).execute();
            aggregates.write(handle, counts, durations);
            return deleted;
        }));
    }

    @Override
    public List<String> delete(List<Job> snapshot) {
        if (snapshot.isEmpty()) {
            return List.of();
        }
        Map<String, Job> byId = new HashMap<>();
        snapshot.forEach(job -> byId.put(job.jobId(), job));
        return withRetries(() -> readCommitted(handle -> {
            // Lock the rows, then keep only those still as they were read: a job that took an event since is not
            // what the person deleting it saw. The same read gives each kept job's share of the aggregates.
            Aggregates aggregates = new Aggregates();
            List<String> unchanged = handle.createQuery("select " + AGGREGATED_COLUMNS + ", status_us, restarting_to from "
                            + jobs + " where job_id = any(:ids) order by job_id for update")
                    .bindArray("ids", String.class, List.copyOf(byId.keySet()))
                    .map((rs, ctx) -> {
                        Job seen = byId.get(rs.getString("job_id"));
                        boolean same = rs.getString("restarting_to") == null
                                && seen.status().wireName().equals(rs.getString("status"))
                                && Times.toMicros(seen.statusAt()) == rs.getLong("status_us");
                        return same ? leave(rs, aggregates) : null;
                    })
                    .list().stream().filter(id -> id != null).toList();
            if (unchanged.isEmpty()) {
                return List.<String>of();
            }
            handle.createUpdate("delete from " + events + " where job_id = any(:ids)").bindArray("ids", String.class, unchanged).execute();
            handle.createUpdate("delete from " + jobs + " where job_id = any(:ids)").bindArray("ids", String.class, unchanged).execute();
            aggregates.write(handle, counts, durations);
            return unchanged;
        }));
    }

    @Override
    public List<EventCount> eventCounts(Instant since, Duration bucket) {
        long bucketUs = Times.toMicros(Instant.EPOCH.plus(bucket));
        if (bucketUs <= 0) {
            throw new IllegalArgumentException("bucket must be positive");
        }
        // The bucket length is a number computed here, never text from a request.
        String sql = "select bucket, status, count(*) as n from (select received_us / " + bucketUs + " as bucket, status from "
                + events + " where received_us >= :since_us) e group by bucket, status order by bucket, status";
        return call(() -> jdbi.withHandle(handle -> handle.createQuery(sql)
                .bind("since_us", Times.toMicros(since))
                .map((rs, ctx) -> new EventCount(Times.fromMicros(rs.getLong("bucket") * bucketUs),
                        JobStatus.fromWireName(rs.getString("status"), "status"), rs.getLong("n")))
                .list()));
    }

    @Override
    public List<ClassTimings> classTimings(Instant since, int maxClasses) {
        // percentile_cont and the other aggregates skip nulls: each figure covers the jobs that have its two times.
        // BIGINT microseconds, as in the duration summaries (H2's percentile_cont fails on some DOUBLE values).
        String times = "(select job_class, "
                + "case when queued_us is not null and started_us >= queued_us then started_us - queued_us end as wait, "
                + "case when status = :complete and started_us is not null then completed_us - started_us end as run "
                + "from " + jobs + " where activity_us >= :since_us) t";
        String sql = "select job_class, count(*) as jobs, " + statistics("wait") + ", " + statistics("run") + " from " + times
                + " group by job_class order by count(*) desc, job_class limit :max_classes";
        return call(() -> jdbi.withHandle(handle -> handle.createQuery(sql)
                .bind("complete", JobStatus.COMPLETE.wireName())
                .bind("since_us", Times.toMicros(since))
                .bind("max_classes", maxClasses)
                .map((rs, ctx) -> {
                    String jobClass = rs.getString("job_class");
                    return new ClassTimings(jobClass == null ? "" : jobClass, summary(rs, "wait"), summary(rs, "run"));
                })
                .list()));
    }

    private static String statistics(String column) {
        return "count(" + column + ") as " + column + "_n, avg(" + column + ") as " + column + "_mean_us, max(" + column + ") as "
                + column + "_max_us, "
                + "percentile_cont(0.5) within group (order by " + column + ") as " + column + "_p50_us, "
                + "percentile_cont(0.95) within group (order by " + column + ") as " + column + "_p95_us, "
                + "percentile_cont(0.99) within group (order by " + column + ") as " + column + "_p99_us";
    }

    private static DurationSummary summary(ResultSet rs, String column) throws SQLException {
        long count = rs.getLong(column + "_n");
        if (count == 0) {
            return DurationSummary.EMPTY;
        }
        return new DurationSummary(count, rs.getDouble(column + "_mean_us") / 1000.0, rs.getDouble(column + "_p50_us") / 1000.0,
                rs.getDouble(column + "_p95_us") / 1000.0, rs.getDouble(column + "_p99_us") / 1000.0,
                rs.getDouble(column + "_max_us") / 1000.0);
    }

    @Override
    public long countPrunable(Instant before) {
        return call(() -> jdbi.withHandle(handle -> handle.createQuery("select count(*) from " + jobs
                        + " where status in (:complete, :failed) and activity_us < :before")
                .bind("complete", JobStatus.COMPLETE.wireName()).bind("failed", JobStatus.FAILED.wireName())
                .bind("before", Times.toMicros(before)).mapTo(Long.class).one()));
    }

    /** What a deleted job's share of the aggregates is read from. */
    private static final String AGGREGATED_COLUMNS = "job_id, status, job_class, queued_us, started_us, completed_us";

    /** Tells {@code aggregates} that the jobs {@code ids} (locked here) are about to go. */
    private void leaveDeleted(Handle handle, List<String> ids, Aggregates aggregates) {
        handle.createQuery("select " + AGGREGATED_COLUMNS + " from " + jobs + " where job_id = any(:ids) order by job_id for update")
                .bindArray("ids", String.class, ids).map((rs, ctx) -> leave(rs, aggregates)).list();
    }

    private static String leave(ResultSet rs, Aggregates aggregates) throws SQLException {
        aggregates.leave(JobStatus.fromWireName(rs.getString("status"), "status"), rs.getString("job_class"),
                nullableLong(rs, "queued_us"), nullableLong(rs, "started_us"), nullableLong(rs, "completed_us"));
        return rs.getString("job_id");
    }

    @Override
    public Map<JobStatus, Long> countByStatus() {
        Map<JobStatus, Long> byStatus = new EnumMap<>(JobStatus.class);
        for (JobStatus status : JobStatus.values()) {
            byStatus.put(status, 0L);
        }
        call(() -> jdbi.withHandle(handle -> handle.createQuery("select status, sum(jobs) as n from " + counts + " group by status")
                .map((rs, ctx) -> byStatus.put(JobStatus.fromWireName(rs.getString("status"), "status"), rs.getLong("n")))
                .list()));
        return Collections.unmodifiableMap(byStatus);
    }

    /**
     * PostgreSQL commits concurrent transactions in parallel (and flushes them to disk together): two writers. H2 writes
     * one commit at a time; measured with the ingest benchmark, a second writer there only waits on the first one's rows
     * (seed endpoints 1,368 events/s with two writers, 2,004 with one; batch 20,131 and 27,783), while on PostgreSQL
     * two writers took the batch endpoint from 19,801 to 31,430 events/s.
     */
    @Override
    public int concurrentWriters() {
        return database.postgres() ? 2 : 1;
    }

    @Override
    public void ping() {
        call(() -> jdbi.withHandle(handle -> handle.createQuery("select 1").mapTo(Integer.class).one()));
    }

    @Override
    public void close() {
        if (onClose != null) {
            try {
                onClose.close();
            } catch (Exception e) {
                LOG.warn("closing the store's data source failed", e);
            }
        }
    }

    static Job mapJob(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Job(rs.getString("job_id"), rs.getString("job_class"), rs.getString("queue"), rs.getString("arguments"),
                JobStatus.fromWireName(rs.getString("status"), "status"), Times.fromMicros(rs.getLong("status_us")),
                Times.fromMicros(nullableLong(rs, "queued_us")), Times.fromMicros(nullableLong(rs, "started_us")),
                Times.fromMicros(nullableLong(rs, "completed_us")), Times.fromMicros(nullableLong(rs, "failed_us")),
                rs.getInt("attempts"), rs.getString("error_class"), rs.getString("error_message"),
                rs.getString("restarted_from"), Times.fromMicros(rs.getLong("activity_us")),
                Times.fromMicros(rs.getLong("created_us")), rs.getInt("restarts"), rs.getString("restarting_to"), progress(rs));
    }

    private static JobProgress progress(ResultSet rs) throws SQLException {
        Long updated = nullableLong(rs, "progress_us");
        return updated == null ? null : new JobProgress(nullableLong(rs, "progress_at"), nullableLong(rs, "progress_total"),
                rs.getString("progress_message"), Times.fromMicros(updated));
    }

    @Override
    public Optional<Job> recordProgress(String jobId, JobProgress progress) {
        return call(() -> readCommitted(handle -> {
            // A report older than the one kept (reports can overtake each other) changes nothing.
            // Fields a report leaves out keep their last value (sidekiq-status sends at and total separately).
            handle.createUpdate("update " + jobs + " set progress_at = coalesce(:at, progress_at), "
                            + "progress_total = coalesce(:total, progress_total), progress_message = coalesce(:message, progress_message), "
                            + "progress_us = :updated_us where job_id = :job_id and (progress_us is null or progress_us <= :updated_us)")
                    .bind("at", progress.at()).bind("total", progress.total()).bind("message", progress.message())
                    .bind("updated_us", Times.toMicros(progress.updatedAt())).bind("job_id", jobId).execute();
            return handle.createQuery("select " + JOB_SELECT + " from " + jobs + " where job_id = :job_id").bind("job_id", jobId)
                    .map(JdbiJobStore::mapJob).findOne();
        }));
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static <T> T withRetries(Supplier<T> transaction) {
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction.get();
            } catch (JdbiException e) {
                if (attempt >= MAX_TRIES || !isRace(e)) {
                    throw storeFailure(e);
                }
                LOG.debug("transaction lost a race (try {} of {}), trying again", attempt, MAX_TRIES, e);
            }
        }
    }

    private static <T> T call(Supplier<T> work) {
        try {
            return work.get();
        } catch (JdbiException e) {
            throw storeFailure(e);
        }
    }

    private static boolean isRace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // A failed JDBC batch carries the statement's own error as its "next exception".
            for (SQLException sql = t instanceof SQLException s ? s : null; sql != null; sql = sql.getNextException()) {
                if (sql.getSQLState() != null && RETRYABLE_STATES.contains(sql.getSQLState())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static StoreException storeFailure(JdbiException e) {
        return new StoreException("the store did not answer: " + Failures.rootMessage(e), e);
    }

    /** The WHERE clause of a jobs query, built from the criteria that are set, with its bindings. */
    private static final class Conditions {
        private final List<String> clauses;
        private final Map<String, Object> bindings;

        Conditions() {
            clauses = new ArrayList<>();
            bindings = new LinkedHashMap<>();
        }

        Conditions equal(String column, String value) {
            if (value != null) {
                clauses.add(column + " = :" + column);
                bindings.put(column, value);
            }
            return this;
        }

        Conditions notNull(String column) {
            clauses.add(column + " is not null");
            return this;
        }

        /** A literal substring: the LIKE wildcards and the escape character in it are escaped. */
        Conditions argumentsContain(String needle) {
            if (needle != null) {
                clauses.add("arguments like :arguments_like escape '\\'");
                bindings.put("arguments_like", "%" + escapeLike(needle) + "%");
            }
            return this;
        }

        Conditions activityFrom(Instant since, Instant until) {
            if (since != null) {
                clauses.add("activity_us >= :since_us");
                bindings.put("since_us", Times.toMicros(since));
            }
            if (until != null) {
                clauses.add("activity_us < :until_us");
                bindings.put("until_us", Times.toMicros(until));
            }
            return this;
        }

        Conditions startedBefore(Instant before) {
            if (before != null) {
                clauses.add("started_us < :started_before_us");
                bindings.put("started_before_us", Times.toMicros(before));
            }
            return this;
        }

        Conditions after(PageCursor cursor) {
            if (cursor != null) {
                // The first term bounds an index range scan; the OR alone made PostgreSQL read the whole table.
                clauses.add("activity_us <= :cursor_us and (activity_us < :cursor_us or job_id < :cursor_job_id)");
                bindings.put("cursor_us", Times.toMicros(cursor.activityAt()));
                bindings.put("cursor_job_id", cursor.jobId());
            }
            return this;
        }

        String sql() {
            return clauses.isEmpty() ? "" : " where " + String.join(" and ", clauses);
        }

        Query bindTo(Query query) {
            bindings.forEach(query::bind);
            return query;
        }
    }

    static String escapeLike(String needle) {
        return needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
