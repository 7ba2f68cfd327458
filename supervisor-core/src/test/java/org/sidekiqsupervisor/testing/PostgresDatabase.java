package org.sidekiqsupervisor.testing;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;

/**
 * A fresh PostgreSQL database on the local server (127.0.0.1:5432, user postgres, or
 * SUPERVISOR_TEST_POSTGRES_URL), dropped on close, so that test runs never see each other's data. A test that uses
 * one says {@code @RequiresService(Service.POSTGRES)}, which skips it (or fails it under CI) when no server answers.
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

    /** Creates a database of its own on the server. */
    public static PostgresDatabase create() {
        String name = "supervisor_test_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection admin = DriverManager.getConnection(SERVER + "postgres", USER, null);
             Statement statement = admin.createStatement()) {
            statement.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create a test database on PostgreSQL at " + SERVER + ": " + e.getMessage(), e);
        }
        return new PostgresDatabase(name);
    }

    /** Why the server does not answer, or empty when it does: what {@link Service#POSTGRES} checks. */
    static Optional<String> whyUnreachable() {
        try (Connection admin = DriverManager.getConnection(SERVER + "postgres", USER, null)) {
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of("no server answered at " + SERVER + ": " + e.getMessage());
        }
    }

    /** The JDBC URL of this database. */
    public String url() {
        return SERVER + name;
    }

    /** The server's host and port, for a {@link TcpProxy} in front of it. */
    public static URI server() {
        return URI.create(SERVER.substring("jdbc:".length()));
    }

    /** The JDBC URL of this database reached through a proxy on {@code port} of this machine. */
    public String urlThrough(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    /** The user that owns the database (no password: the local server trusts it). */
    public String user() {
        return USER;
    }

    /** A connection pool on this database, closed with it. */
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
