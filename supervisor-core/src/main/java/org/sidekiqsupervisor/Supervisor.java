package org.sidekiqsupervisor;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.sidekiqsupervisor.alerts.AlertSettings;
import org.sidekiqsupervisor.internal.LibraryVersion;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.manager.Maintenance;
import org.sidekiqsupervisor.manager.MaintenanceScheduler;
import org.sidekiqsupervisor.model.RestartPolicy;
import org.sidekiqsupervisor.sidekiq.SidekiqRedis;
import org.sidekiqsupervisor.sidekiq.SidekiqSettings;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.store.JobStore;
import org.sidekiqsupervisor.store.StoreException;
import org.sidekiqsupervisor.store.StoreSchema;
import org.sidekiqsupervisor.store.IngestJournal;
import org.sidekiqsupervisor.store.jdbi.JdbiJobStore;

/**
 * The front door: one supervisor, with its store, its Sidekiq Redis, its {@link JobManager} and its background
 * work (watchdog, retention, lost-job alerts). HTTP settings (API token, dashboard sign-in, body limit) belong to
 * the front end that serves it, e.g. the JAX-RS module's {@code HttpSettings}.
 *
 * <pre>{@code
 * try (Supervisor supervisor = Supervisor.builder()
 *         .databaseUrl("jdbc:postgresql://db/supervisor")
 *         .redisUrl(System.getenv("REDIS_URL"))
 *         .build()) {
 *     supervisor.jobManager().uncompletedJobs("bob@example.com").forEach(System.out::println);
 * }
 * }</pre>
 *
 * <p>{@link Builder#build()} connects and migrates the schema; {@link #close()} closes what the supervisor
 * opened (not a {@link DataSource} the host handed in). Thread-safe; build one per application.
 */
public final class Supervisor implements AutoCloseable {
    /** The default store: an H2 file database under {@code ./supervisor-data}, which survives restarts. */
    public static final String DEFAULT_DATABASE_URL = "jdbc:h2:file:./supervisor-data/supervisor";
    /** The default size of the database connection pool. */
    public static final int DEFAULT_POOL_SIZE = 10;
    /** How long a caller waits for a pooled connection before the store counts as unavailable. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = StorePool.CONNECTION_TIMEOUT;
    /** How long one PostgreSQL statement may run before the server cancels it. */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);

    private final JobStore store;
    private final SidekiqRedis redis;
    private final JobManager jobManager;
    private final MeterRegistry meterRegistry;
    private final String storeDescription;
    private final MaintenanceScheduler maintenance;

    private Supervisor(JobStore store, SidekiqRedis redis, SidekiqSettings sidekiq, Clock clock, String storeDescription,
                       Duration watchdogInterval, Duration retention, Duration rollupRetention, MeterRegistry meterRegistry,
                       AlertSettings alerts, Duration lookInterval) {
        this.meterRegistry = meterRegistry;
        this.store = store;
        this.redis = redis;
        this.jobManager = new JobManager(store, clock, redis, sidekiq, meterRegistry, alerts);
        this.storeDescription = storeDescription;
        this.maintenance = new MaintenanceScheduler(jobManager, watchdogInterval, retention, rollupRetention,
                redis == null || lookInterval.isZero() ? null : lookInterval);
    }

    /** A builder with every setting at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The job manager: what the middlewares report, what happened to jobs, restarts. */
    public JobManager jobManager() {
        return jobManager;
    }

    /**
     * Where the supervisor's metrics ({@code supervisor.*}) go: the host's registry if it gave one, else a Prometheus
     * registry of the supervisor's own, which {@code GET /metrics} serves.
     */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** Which store this is, for logs and the start-up line; never includes a password. */
    public String storeDescription() {
        return storeDescription;
    }

    /** Which Redis this is (without its password), or null when none is configured. */
    public String redisDescription() {
        return redis == null ? null : redis.description();
    }

    /** This library's version. */
    public static String version() {
        return LibraryVersion.VALUE;
    }

    /** Stops the background work, finishes writing what was submitted, and closes Redis and the store it opened. */
    @Override
    public void close() {
        maintenance.close();
        jobManager.close();
        if (redis != null) {
            redis.close();
        }
        store.close();
    }

    /**
     * Builds a {@link Supervisor}. Settings are checked in {@link #build()}, which fails naming the setting.
     * Not thread-safe.
     */
    public static final class Builder {
        private String databaseUrl = DEFAULT_DATABASE_URL;
        private String databaseUser;
        private String databasePassword;
        private DataSource dataSource;
        private int poolSize = DEFAULT_POOL_SIZE;
        private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
        private Clock clock = Clock.systemUTC();
        private String redisUrl;
        private SidekiqVersion sidekiqVersion = SidekiqSettings.DEFAULT_VERSION;
        private Duration lostGrace = SidekiqSettings.DEFAULT_LOST_GRACE;
        private int maxRestarts = SidekiqSettings.DEFAULT_MAX_RESTARTS;
        private final Map<String, RestartPolicy> policies = new LinkedHashMap<>();
        private Duration watchdogInterval;
        private Duration lookInterval = MaintenanceScheduler.LOOK_INTERVAL;
        private StoreSchema schema = StoreSchema.DEFAULT;
        private IngestJournal ingestJournal = IngestJournal.DEFAULT;
        private Duration retention;
        private Duration rollupRetention = Maintenance.ROLLUP_RETENTION;
        private MeterRegistry meterRegistry;
        private AlertSettings alerts = AlertSettings.NONE;

        private Builder() {
        }

        /**
         * The JDBC URL of the store: {@code jdbc:h2:file:...} (default {@value Supervisor#DEFAULT_DATABASE_URL}),
         * {@code jdbc:h2:mem:...} or {@code jdbc:postgresql://...}.
         */
        public Builder databaseUrl(String url) {
            databaseUrl = url;
            return this;
        }

        public Builder databaseUser(String user) {
            databaseUser = user;
            return this;
        }

        public Builder databasePassword(String password) {
            databasePassword = password;
            return this;
        }

        /** A pool the host application manages; the supervisor migrates it and never closes it. */
        public Builder dataSource(DataSource value) {
            dataSource = value;
            return this;
        }

        /**
         * PostgreSQL only: the longest one statement may run (the server cancels it), default 30 s. The driver also
         * gives up on a connection that answers nothing for this long plus 5 s (a network that hangs), so a request
         * never waits on a dead database for longer than that: it is answered 503 and the connection is replaced.
         */
        public Builder statementTimeout(Duration value) {
            statementTimeout = value;
            return this;
        }

        /**
         * The Micrometer registry the supervisor's metrics go to, e.g. the host application's; default: a Prometheus
         * registry of its own, served at {@code /metrics}.
         */
        public Builder meterRegistry(MeterRegistry registry) {
            meterRegistry = registry;
            return this;
        }

        /** Webhooks to tell about failed, lost and slow jobs; default none. */
        public Builder alerts(AlertSettings value) {
            alerts = value == null ? AlertSettings.NONE : value;
            return this;
        }

        /** The size of the connection pool the supervisor makes; default {@value Supervisor#DEFAULT_POOL_SIZE}. */
        public Builder poolSize(int value) {
            poolSize = value;
            return this;
        }

        /**
         * Sidekiq's Redis ({@code redis://[:password@]host:port/db} or {@code rediss://...}): lost jobs, restart
         * and Sidekiq's state need it. Default: none.
         */
        public Builder redisUrl(String url) {
            redisUrl = url;
            return this;
        }

        /**
         * The Sidekiq major version whose payload format a restart writes when no live Sidekiq process announces its
         * version in its heartbeat (7.x and 8.x do; 6.x does not); default 7.
         */
        public Builder sidekiqVersion(SidekiqVersion value) {
            sidekiqVersion = value;
            return this;
        }

        /** A started job that Sidekiq has no trace of counts as lost once it started longer ago than this; default 60 s. */
        public Builder lostGrace(Duration value) {
            lostGrace = value;
            return this;
        }

        /** A lineage restarted this many times is not restarted again; default 3. */
        public Builder maxRestarts(int value) {
            maxRestarts = value;
            return this;
        }

        /**
         * The restart policy of a job class (contract 5a): {@code HOLD} keeps its lost jobs for a person to restart by
         * name, {@code NEVER} never restarts them without force; default {@code RESTART} for every class.
         */
        public Builder policy(String jobClass, RestartPolicy policy) {
            policies.put(Objects.requireNonNull(jobClass, "jobClass"), Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /**
         * The table prefix and who manages the schema (default: {@code supervisor_}, migrate at start); for a
         * database shared with the host application.
         */
        public Builder schema(StoreSchema value) {
            schema = Objects.requireNonNull(value, "schema");
            return this;
        }

        /**
         * The ingest journal of an H2 file store, and its fsync policy (see {@link IngestJournal}); default
         * {@link IngestJournal#DEFAULT}. PostgreSQL and an in-memory H2 have none whatever this says.
         */
        public Builder ingestJournal(IngestJournal value) {
            ingestJournal = Objects.requireNonNull(value, "ingestJournal");
            return this;
        }

        /**
         * Retention: finished (complete, failed) jobs are deleted this long after their last event, checked hourly.
         * Default: kept forever (null).
         */
        public Builder retention(Duration value) {
            retention = value;
            return this;
        }

        /**
         * How long the dashboard overview's rollups (events received, and waits and runs, per minute and per hour) are
         * kept, pruned hourly; they need not follow the jobs' retention. Default {@link Maintenance#ROLLUP_RETENTION};
         * null: kept forever.
         */
        public Builder rollupRetention(Duration value) {
            rollupRetention = value;
            return this;
        }

        /** Restart lost jobs automatically at this interval (needs Redis); default: off (null). */
        public Builder watchdogInterval(Duration value) {
            watchdogInterval = value;
            return this;
        }

        /**
         * How long to wait between one look at Sidekiq and the next (contract 5b: a look reads every place Sidekiq holds
         * jobs, paced, and finds which jobs are lost), when Redis is configured; default
         * {@link MaintenanceScheduler#LOOK_INTERVAL}. Zero: no looks in the background (a host, or a test, then calls
         * {@link JobManager#lookAtSidekiq()} itself; without looks no job is ever found lost).
         */
        public Builder lookInterval(Duration value) {
            lookInterval = Objects.requireNonNull(value, "lookInterval");
            return this;
        }

        /** The clock that stamps events sent without a time; default UTC system clock. */
        public Builder clock(Clock value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Connects to the store, migrates its schema and returns the supervisor.
         *
         * @throws IllegalArgumentException naming the setting that is wrong
         * @throws StoreException when the database does not answer or cannot be migrated
         */
        public Supervisor build() {
            if (statementTimeout == null || statementTimeout.toMillis() < 1000) {
                throw new IllegalArgumentException("statementTimeout must be at least a second (got " + statementTimeout + ")");
            }
            if (poolSize < 1) {
                throw new IllegalArgumentException("poolSize must be at least 1 (got " + poolSize + ")");
            }
            SidekiqSettings sidekiq = new SidekiqSettings(sidekiqVersion, lostGrace, maxRestarts, policies);
            boolean hasRedis = redisUrl != null && !redisUrl.isEmpty();
            if (watchdogInterval != null && (watchdogInterval.isNegative() || watchdogInterval.isZero())) {
                throw new IllegalArgumentException("watchdogInterval must be positive (got " + watchdogInterval + ")");
            }
            if (watchdogInterval != null && !hasRedis) {
                throw new IllegalArgumentException("watchdogInterval needs redisUrl: the watchdog restarts jobs through Sidekiq's Redis");
            }
            if (lookInterval.isNegative()) {
                throw new IllegalArgumentException("lookInterval must not be negative (got " + lookInterval + ")");
            }
            if (retention != null && (retention.isNegative() || retention.isZero())) {
                throw new IllegalArgumentException("retention must be positive (got " + retention + ")");
            }
            if (rollupRetention != null && (rollupRetention.isNegative() || rollupRetention.isZero())) {
                throw new IllegalArgumentException("rollupRetention must be positive (got " + rollupRetention + ")");
            }
            SidekiqRedis redis = hasRedis ? new SidekiqRedis(redisUrl, clock) : null;
            MeterRegistry registry = meterRegistry != null ? meterRegistry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try {
                if (dataSource != null) {
                    JobStore store = JdbiJobStore.open(dataSource, schema, null, ingestJournal);
                    return new Supervisor(store, redis, sidekiq, clock, "a data source of the host application", watchdogInterval,
                            retention, rollupRetention, registry, alerts, lookInterval);
                }
                HikariDataSource pool = StorePool.open(databaseUrl, databaseUser, databasePassword, poolSize, statementTimeout);
                try {
                    return new Supervisor(JdbiJobStore.open(pool, schema, pool, ingestJournal), redis, sidekiq, clock, StorePool.describe(databaseUrl),
                            watchdogInterval, retention, rollupRetention, registry, alerts, lookInterval);
                } catch (RuntimeException e) {
                    pool.close();
                    throw e;
                }
            } catch (RuntimeException e) {
                if (redis != null) {
                    redis.close();
                }
                throw e;
            }
        }
    }
}
