package org.sidekiqsupervisor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.sidekiqsupervisor.alerts.AlertSettings;
import org.sidekiqsupervisor.internal.Failures;
import org.sidekiqsupervisor.internal.Urls;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.model.RestartRequest;
import org.sidekiqsupervisor.model.RestartResult;
import org.sidekiqsupervisor.sidekiq.SidekiqRedis;
import org.sidekiqsupervisor.sidekiq.SidekiqSettings;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.store.JobStore;
import org.sidekiqsupervisor.store.StoreException;
import org.sidekiqsupervisor.store.StoreSchema;
import org.sidekiqsupervisor.store.jdbi.JdbiJobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front door: one supervisor, with its store, its {@link JobManager} and its limits.
 *
 * <pre>{@code
 * try (Supervisor supervisor = Supervisor.builder()
 *         .databaseUrl("jdbc:postgresql://db/supervisor")
 *         .apiToken(System.getenv("SUPERVISOR_API_TOKEN"))
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
    /** The default limit on a request body, in bytes (1 MiB). */
    public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    /** The default size of the database connection pool. */
    public static final int DEFAULT_POOL_SIZE = 10;
    /** How long a caller waits for a pooled connection before the store counts as unavailable. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    /** How long one PostgreSQL statement may run before the server cancels it. */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    private final JobStore store;
    private final SidekiqRedis redis;
    private final JobManager jobManager;
    private final String apiToken;
    private final DashboardLogin dashboardLogin;
    private final MeterRegistry meterRegistry;
    private final long maxBodyBytes;
    private final String storeDescription;
    /** How often the retention prune runs when a retention is set. */
    public static final Duration PRUNE_INTERVAL = Duration.ofHours(1);

    private final ScheduledExecutorService maintenance;
    private final boolean noopEndpoint;

    private Supervisor(JobStore store, SidekiqRedis redis, SidekiqSettings sidekiq, Clock clock, String apiToken,
                       DashboardLogin dashboardLogin, long maxBodyBytes, String storeDescription, Duration watchdogInterval, Duration retention,
                       boolean noopEndpoint, MeterRegistry meterRegistry, AlertSettings alerts) {
        this.noopEndpoint = noopEndpoint;
        this.meterRegistry = meterRegistry;
        this.store = store;
        this.redis = redis;
        this.jobManager = new JobManager(store, clock, redis, sidekiq, meterRegistry, alerts);
        this.apiToken = apiToken;
        this.dashboardLogin = dashboardLogin;
        this.maxBodyBytes = maxBodyBytes;
        this.storeDescription = storeDescription;
        boolean lostAlerts = alerts.enabled() && redis != null;
        if (watchdogInterval == null && retention == null && !lostAlerts) {
            this.maintenance = null;
        } else {
            this.maintenance = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "supervisor-maintenance");
                thread.setDaemon(true);
                return thread;
            });
            if (watchdogInterval != null) {
                startWatchdog(watchdogInterval);
            }
            if (retention != null) {
                startRetention(retention);
            }
            if (lostAlerts) {
                startLostAlerts(alerts.lostCheck());
            }
        }
    }

    /** Looks for newly lost jobs on an interval and alerts each once (per supervisor process). */
    private void startLostAlerts(Duration interval) {
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                jobManager.alertLostJobs();
            } catch (RuntimeException e) {
                LOG.warn("could not look for lost jobs to alert: {}", e.getMessage());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Deletes finished jobs older than the retention, hourly; several supervisors doing so only share the work. */
    private void startRetention(Duration retention) {
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                long deleted = jobManager.prune(retention);
                if (deleted > 0) {
                    LOG.info("retention: deleted {} finished job(s) older than {} days", deleted, retention.toDays());
                }
            } catch (RuntimeException e) {
                LOG.warn("retention could not prune: {}", e.getMessage());
            }
        }, 0, PRUNE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("retention on: finished jobs are deleted {} days after their last event", retention.toDays());
    }

    /** Restarts lost jobs on an interval; of several supervisors doing so, the store's claim lets one win each job. */
    private void startWatchdog(Duration interval) {
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                RestartResult result = jobManager.restart(RestartRequest.lost(null));
                if (!result.restarted().isEmpty() || result.error() != null) {
                    LOG.info("watchdog restarted {} lost job(s){}", result.restarted().size(),
                            result.error() == null ? "" : "; stopped: " + result.error());
                }
            } catch (RuntimeException e) {
                LOG.warn("watchdog could not check for lost jobs: {}", e.getMessage());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("watchdog on: restarting lost jobs every {} s", interval.toSeconds());
    }

    public static Builder builder() {
        return new Builder();
    }

    public JobManager jobManager() {
        return jobManager;
    }

    /** The bearer token the HTTP API requires, or null when it is open. */
    public String apiToken() {
        return apiToken;
    }

    /**
     * The user name and password the dashboard asks for, or null when it is open. Without an explicit dashboard
     * password but with an API token, the dashboard asks for the token as the password (any user name), so that
     * locking the API never leaves its controls open in the browser.
     */
    public DashboardLogin dashboardLogin() {
        return dashboardLogin;
    }

    /**
     * What the dashboard's HTTP Basic sign-in accepts.
     *
     * @param user     the user name, or null for any
     * @param password the password
     */
    public record DashboardLogin(String user, String password) {
        public DashboardLogin {
            java.util.Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "DashboardLogin[user=" + user + ", password=***]";
        }
    }

    /**
     * Where the supervisor's metrics ({@code supervisor.*}) go: the host's registry if it gave one, else a Prometheus
     * registry of the supervisor's own, which {@code GET /metrics} serves.
     */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** The largest request body the HTTP API reads, in bytes. */
    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    /** Which store this is, for logs and the start-up line; never includes a password. */
    public String storeDescription() {
        return storeDescription;
    }

    /** Whether the benchmark's no-op endpoints ({@code /api/v1/noop/...}) are served. */
    public boolean noopEndpoint() {
        return noopEndpoint;
    }

    /** Which Redis this is (without its password), or null when none is configured. */
    public String redisDescription() {
        return redis == null ? null : redis.description();
    }

    /** This library's version. */
    public static String version() {
        return Version.VALUE;
    }

    /** Read once, on first use: /health reports it on every call. */
    private static final class Version {
        static final String VALUE = read();

        private static String read() {
            try (InputStream in = Supervisor.class.getResourceAsStream("version.properties")) {
                Properties properties = new Properties();
                if (in != null) {
                    properties.load(in);
                }
                return properties.getProperty("version", "unknown");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void close() {
        if (maintenance != null) {
            maintenance.shutdownNow();
            try {
                maintenance.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        jobManager.close();
        if (redis != null) {
            redis.close();
        }
        store.close();
    }

    /**
     * Describes a JDBC URL without its credentials: the part before the first {@code ;} or {@code ?}.
     */
    static String describe(String url) {
        String bare = url.split("[;?]", 2)[0];
        if (bare.startsWith("jdbc:h2:file:")) {
            return "H2 file " + bare.substring("jdbc:h2:file:".length());
        }
        if (bare.startsWith("jdbc:h2:mem:")) {
            return "H2 in memory " + bare.substring("jdbc:h2:mem:".length());
        }
        if (bare.startsWith("jdbc:postgresql:")) {
            return "PostgreSQL " + Urls.withoutCredentials(bare.substring("jdbc:postgresql:".length()));
        }
        return bare;
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
        private String apiToken;
        private String dashboardUser = "admin";
        private String dashboardPassword;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private Clock clock = Clock.systemUTC();
        private String redisUrl;
        private SidekiqVersion sidekiqVersion = SidekiqSettings.DEFAULT_VERSION;
        private Duration lostGrace = SidekiqSettings.DEFAULT_LOST_GRACE;
        private int maxRestarts = SidekiqSettings.DEFAULT_MAX_RESTARTS;
        private Duration watchdogInterval;
        private StoreSchema schema = StoreSchema.DEFAULT;
        private Duration retention;
        private boolean noopEndpoint;
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

        /** The size of the connection pool the supervisor makes; default {@value Supervisor#DEFAULT_POOL_SIZE}. */
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

        public Builder poolSize(int value) {
            poolSize = value;
            return this;
        }

        /** A bearer token the HTTP API will require; null or empty (the default) leaves it open. */
        public Builder apiToken(String token) {
            apiToken = token;
            return this;
        }

        /**
         * HTTP Basic sign-in for the dashboard: the user name (default {@code admin}) and password; a null or
         * empty password (the default) leaves it to the API token, if any (see {@link Supervisor#dashboardLogin()}).
         */
        public Builder dashboardLogin(String user, String password) {
            dashboardUser = user == null || user.isEmpty() ? "admin" : user;
            dashboardPassword = password;
            return this;
        }

        /** The largest request body the HTTP API reads; default 1 MiB. */
        public Builder maxBodyBytes(long value) {
            maxBodyBytes = value;
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

        /** The Sidekiq major version whose payload format a restart writes; default 7. */
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
         * The table prefix and who manages the schema (default: {@code supervisor_}, migrate at start); for a
         * database shared with the host application.
         */
        public Builder schema(StoreSchema value) {
            schema = Objects.requireNonNull(value, "schema");
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

        /** Serve the benchmark's baseline endpoints under {@code /api/v1/noop}; default off. */
        public Builder noopEndpoint(boolean value) {
            noopEndpoint = value;
            return this;
        }

        /** Restart lost jobs automatically at this interval (needs Redis); default: off (null). */
        public Builder watchdogInterval(Duration value) {
            watchdogInterval = value;
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
            if (maxBodyBytes < 1024) {
                throw new IllegalArgumentException("maxBodyBytes must be at least 1024 (got " + maxBodyBytes + ")");
            }
            if (statementTimeout == null || statementTimeout.toMillis() < 1000) {
                throw new IllegalArgumentException("statementTimeout must be at least a second (got " + statementTimeout + ")");
            }
            if (poolSize < 1) {
                throw new IllegalArgumentException("poolSize must be at least 1 (got " + poolSize + ")");
            }
            String token = apiToken == null || apiToken.isEmpty() ? null : apiToken;
            DashboardLogin login = dashboardPassword != null && !dashboardPassword.isEmpty()
                    ? new DashboardLogin(dashboardUser, dashboardPassword)
                    : token == null ? null : new DashboardLogin(null, token);
            SidekiqSettings sidekiq = new SidekiqSettings(sidekiqVersion, lostGrace, maxRestarts);
            boolean hasRedis = redisUrl != null && !redisUrl.isEmpty();
            if (watchdogInterval != null && (watchdogInterval.isNegative() || watchdogInterval.isZero())) {
                throw new IllegalArgumentException("watchdogInterval must be positive (got " + watchdogInterval + ")");
            }
            if (watchdogInterval != null && !hasRedis) {
                throw new IllegalArgumentException("watchdogInterval needs redisUrl: the watchdog restarts jobs through Sidekiq's Redis");
            }
            if (retention != null && (retention.isNegative() || retention.isZero())) {
                throw new IllegalArgumentException("retention must be positive (got " + retention + ")");
            }
            SidekiqRedis redis = hasRedis ? new SidekiqRedis(redisUrl, clock) : null;
            MeterRegistry registry = meterRegistry != null ? meterRegistry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try {
                if (dataSource != null) {
                    JobStore store = JdbiJobStore.open(dataSource, schema, null);
                    return new Supervisor(store, redis, sidekiq, clock, token, login, maxBodyBytes, "a data source of the host application",
                            watchdogInterval, retention, noopEndpoint, registry, alerts);
                }
                return new Supervisor(openStore(), redis, sidekiq, clock, token, login, maxBodyBytes, describe(databaseUrl), watchdogInterval,
                        retention, noopEndpoint, registry, alerts);
            } catch (RuntimeException e) {
                if (redis != null) {
                    redis.close();
                }
                throw e;
            }
        }

        private JobStore openStore() {
            if (databaseUrl == null || !databaseUrl.startsWith("jdbc:h2:") && !databaseUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException(
                        "databaseUrl must start with jdbc:h2: or jdbc:postgresql: (got " + describeOrNull(databaseUrl) + ")");
            }
            HikariDataSource pool;
            try {
                pool = new HikariDataSource(poolConfig());
            } catch (RuntimeException e) {
                throw new StoreException("could not connect to the store (" + describe(databaseUrl) + "): " + Failures.rootMessage(e), e);
            }
            try {
                return JdbiJobStore.open(pool, schema, pool);
            } catch (RuntimeException e) {
                pool.close();
                throw e;
            }
        }

        private HikariConfig poolConfig() {
            HikariConfig config = new HikariConfig();
            config.setPoolName("supervisor-store");
            config.setJdbcUrl(h2Durable(databaseUrl));
            if (databaseUrl.startsWith("jdbc:postgresql:")) {
                // One multi-row INSERT per JDBC batch instead of a statement per row: the store writes in batches.
                config.addDataSourceProperty("reWriteBatchedInserts", "true");
                // Plan every statement with its actual values. A cached generic plan made while the tables were small
                // (before autovacuum analyzed them) kept scanning whole tables to lock a batch's rows: 1.5 s a batch
                // at 100,000 jobs.
                // The statement timeout in the same options: a statement that runs too long is cancelled by the server.
                config.addDataSourceProperty("options", "-c plan_cache_mode=force_custom_plan -c statement_timeout="
                        + statementTimeout.toMillis());
                // A server that stops answering (a hung network, a frozen host) must not hold a request for ever.
                config.addDataSourceProperty("connectTimeout", String.valueOf(DEFAULT_CONNECTION_TIMEOUT.toSeconds()));
                config.addDataSourceProperty("socketTimeout", String.valueOf(statementTimeout.plusSeconds(5).toSeconds()));
                config.addDataSourceProperty("tcpKeepAlive", "true");
            }
            config.setUsername(databaseUser);
            config.setPassword(databasePassword);
            config.setMaximumPoolSize(poolSize);
            // Every connection starts READ COMMITTED, and the pool puts back a level a borrower changed: the store then
            // leaves the level alone instead of asking for it around every transaction.
            config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
            config.setConnectionTimeout(DEFAULT_CONNECTION_TIMEOUT.toMillis());
            config.setValidationTimeout(Math.min(2000, DEFAULT_CONNECTION_TIMEOUT.toMillis() - 1));
            // Fail build() at once if the database is not there, rather than on the first request.
            config.setInitializationFailTimeout(DEFAULT_CONNECTION_TIMEOUT.toMillis());
            return config;
        }

        private static String describeOrNull(String url) {
            return url == null ? "nothing" : describe(url);
        }
    }

    /**
     * H2 writes committed transactions to its file in the background, about once a second; a process
     * killed in that window would lose acknowledged events. {@code WRITE_DELAY=0} makes each commit reach
     * the file before it returns. A URL that sets WRITE_DELAY itself is left as it is.
     */
    static String h2Durable(String url) {
        if (url.startsWith("jdbc:h2:file:") && !url.toUpperCase(java.util.Locale.ROOT).contains(";WRITE_DELAY=")) {
            return url + ";WRITE_DELAY=0";
        }
        return url;
    }
}
