package org.sidekiqsupervisor;

import java.time.Duration;
import java.util.Locale;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.sidekiqsupervisor.internal.Failures;
import org.sidekiqsupervisor.internal.Urls;
import org.sidekiqsupervisor.store.StoreException;

/**
 * The connection pool the supervisor makes for its store when the host gives it none: H2 or PostgreSQL, with the
 * settings that make the store durable and keep a request from waiting on a dead database for ever.
 */
final class StorePool {
    /** How long a caller waits for a pooled connection before the store counts as unavailable. */
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    private StorePool() {
    }

    /**
     * Opens a pool on {@code url} and checks that the database answers.
     *
     * @throws IllegalArgumentException when the URL is neither H2 nor PostgreSQL
     * @throws StoreException           when the database does not answer
     */
    static HikariDataSource open(String url, String user, String password, int size, Duration statementTimeout) {
        if (url == null || !url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("databaseUrl must start with jdbc:h2: or jdbc:postgresql: (got "
                    + (url == null ? "nothing" : describe(url)) + ")");
        }
        try {
            return new HikariDataSource(config(url, user, password, size, statementTimeout));
        } catch (RuntimeException e) {
            throw new StoreException("could not connect to the store (" + describe(url) + "): " + Failures.rootMessage(e), e);
        }
    }

    private static HikariConfig config(String url, String user, String password, int size, Duration statementTimeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("supervisor-store");
        config.setJdbcUrl(h2ClosedByThePool(h2Durable(url)));
        if (url.startsWith("jdbc:postgresql:")) {
            // One multi-row INSERT per JDBC batch instead of a statement per row: the store writes in batches.
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
            // Plan every statement with its actual values. A cached generic plan made while the tables were small
            // (before autovacuum analyzed them) kept scanning whole tables to lock a batch's rows: 1.5 s a batch
            // at 100,000 jobs.
            // The statement timeout in the same options: a statement that runs too long is cancelled by the server.
            config.addDataSourceProperty("options", "-c plan_cache_mode=force_custom_plan -c statement_timeout="
                    + statementTimeout.toMillis());
            // A server that stops answering (a hung network, a frozen host) must not hold a request for ever.
            config.addDataSourceProperty("connectTimeout", String.valueOf(CONNECTION_TIMEOUT.toSeconds()));
            config.addDataSourceProperty("socketTimeout", String.valueOf(statementTimeout.plusSeconds(5).toSeconds()));
            config.addDataSourceProperty("tcpKeepAlive", "true");
        }
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        // Every connection starts READ COMMITTED, and the pool puts back a level a borrower changed: the store then
        // leaves the level alone instead of asking for it around every transaction.
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        config.setValidationTimeout(Math.min(2000, CONNECTION_TIMEOUT.toMillis() - 1));
        // Fail build() at once if the database is not there, rather than on the first request.
        config.setInitializationFailTimeout(CONNECTION_TIMEOUT.toMillis());
        return config;
    }

    /**
     * H2 writes committed transactions to its file in the background, about once a second; a process
     * killed in that window would lose acknowledged events. {@code WRITE_DELAY=0} makes each commit reach
     * the file before it returns. A URL that sets WRITE_DELAY itself is left as it is.
     */
    static String h2Durable(String url) {
        if (url.startsWith("jdbc:h2:file:") && !url.toUpperCase(Locale.ROOT).contains(";WRITE_DELAY=")) {
            return url + ";WRITE_DELAY=0";
        }
        return url;
    }

    /**
     * An embedded H2 database closes itself in a JVM shutdown hook of its own ({@code DB_CLOSE_ON_EXIT}, on by
     * default), at once, under the statements still running: a host that lets its requests finish on SIGTERM before it
     * closes the supervisor would see them fail (503) as the store went away under them. {@code DB_CLOSE_ON_EXIT=FALSE}
     * leaves closing to {@link Supervisor#close()}, which closes the pool and so the database, when the host says.
     * A URL that sets DB_CLOSE_ON_EXIT itself, one with AUTO_SERVER=TRUE (which H2 refuses without its hook), and H2
     * over TCP (its server owns that database) are left as they are.
     */
    static String h2ClosedByThePool(String url) {
        String upper = url.toUpperCase(Locale.ROOT);
        if (!url.startsWith("jdbc:h2:") || url.startsWith("jdbc:h2:tcp:") || url.startsWith("jdbc:h2:ssl:")
                || upper.contains(";DB_CLOSE_ON_EXIT=") || upper.contains(";AUTO_SERVER=TRUE")) {
            return url;
        }
        return url + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /** Describes a JDBC URL without its credentials: the part before the first {@code ;} or {@code ?}. */
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
}
