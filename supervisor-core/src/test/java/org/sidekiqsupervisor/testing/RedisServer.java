package org.sidekiqsupervisor.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} of its own on a free port, keeping nothing on disk, stopped on close: no test run sees
 * another's keys. A test that starts one says {@code @RequiresService(Service.REDIS_SERVER)}, which skips it (or
 * fails it under CI) when the program is not installed.
 */
public final class RedisServer implements AutoCloseable {
    private final Process process;
    private final int port;

    private RedisServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a server with these extra command-line arguments and returns once it accepts connections. */
    public static RedisServer start(String... extraArgs) {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no"));
        command.addAll(List.of(extraArgs));
        Process process;
        Path log;
        try {
            log = Files.createTempFile("redis-test", ".log");
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start redis-server", e);
        }
        await("redis-server listening on port " + port).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> accepts(port) || !process.isAlive());
        if (!process.isAlive()) {
            throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": " + read(log));
        }
        return new RedisServer(process, port);
    }

    private static boolean accepts(int port) {
        try {
            new Socket("127.0.0.1", port).close();
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(its log " + log + " is unreadable: " + e.getMessage() + ")";
        }
    }

    /** The port it listens on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Its URL, database 0, as the supervisor and Sidekiq take it. */
    public String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /** A port nothing listens on right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
