package org.sidekiqsupervisor.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh PostgreSQL database on the local server (127.0.0.1:5432, user postgres, or
 * SUPERVISOR_TEST_POSTGRES_URL), dropped on close, so that test runs never see each other's data.
 *
 * <p>Under CI ({@code CI=true}) a server that does not answer fails the test; elsewhere the test is
 * skipped, saying why.
 */
public final class PostgresDatabase implements AutoCloseable {
    private static final String SERVER = System.getenv().getOrDefault("SUPERVISOR_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/");
    private static final String USER = "postgres";

    private final String name;
    private final HikariDataSource dataSource;

    private PostgresDatabase(String name) {
        this.name = name;
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(url());
        dataSource.setUsername(USER);
        dataSource.setMaximumPoolSize(10);
    }

    public static PostgresDatabase create() {
        String name = "supervisor_test_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection admin = DriverManager.getConnection(SERVER + "postgres", USER, null);
             Statement statement = admin.createStatement()) {
            statement.execute("create database " + name);
        } catch (SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("PostgreSQL is required under CI but did not answer at " + SERVER + ": " + e.getMessage(), e);
            }
            Assumptions.abort("skipped: no PostgreSQL at " + SERVER + " (" + e.getMessage() + ")");
        }
        return new PostgresDatabase(name);
    }

    /** The JDBC URL of this database. */
    public String url() {
        return SERVER + name;
    }

    /** The server's host and port, for a {@link TcpProxy} in front of it. */
    public static java.net.URI server() {
        return java.net.URI.create(SERVER.substring("jdbc:".length()));
    }

    /** The JDBC URL of this database reached through a proxy on {@code port} of this machine. */
    public String urlThrough(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    public String user() {
        return USER;
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
        try (Connection admin = DriverManager.getConnection(SERVER + "postgres", USER, null);
             Statement statement = admin.createStatement()) {
            statement.execute("drop database if exists " + name + " with (force)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop test database " + name, e);
        }
    }
}
