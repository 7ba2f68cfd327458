package org.sidekiqsupervisor.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone jar running as a real process in its own working directory, its output collected. The jar is
 * the system property {@code supervisor.jar} (set by the build), else the standalone module's.
 */
public final class SupervisorProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://[^ ]+/)");

    final Process process;
    final List<String> output = new CopyOnWriteArrayList<>();
    URI base;

    private SupervisorProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.add(line);
                }
            } catch (IOException e) {
                output.add("(output unreadable: " + e + ")");
            }
        }, "supervisor-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code java -jar} with these arguments and extra environment, in {@code dir}. */
    public static SupervisorProcess launch(Path dir, Map<String, String> env, String... args) {
        Path jar = jar();
        if (!jar.toFile().isFile()) {
            throw new AssertionError("no supervisor jar at " + jar + ": build it with mvn package");
        }
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("SUPERVISOR_") || name.equals("REDIS_URL"));
        builder.environment().putAll(env);
        try {
            return new SupervisorProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The runnable jar under test: the system property, else the standalone module's, from the root or a module. */
    public static Path jar() {
        String configured = System.getProperty("supervisor.jar");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path fromRoot = Path.of("supervisor-standalone/target/supervisor-standalone.jar").toAbsolutePath();
        return (fromRoot.toFile().isFile() ? fromRoot : Path.of("../supervisor-standalone/target/supervisor-standalone.jar"))
                .toAbsolutePath().normalize();
    }

    /** The server's operating-system process id. */
    public long pid() {
        return process.pid();
    }

    /** The base URL of the running server, from its start-up line. */
    public URI base() {
        return base;
    }

    /** Starts the server and waits for its start-up line. */
    public static SupervisorProcess serve(Path dir, Map<String, String> env, String... args) {
        SupervisorProcess supervisor = launch(dir, env, args);
        supervisor.awaitListening();
        return supervisor;
    }

    public void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (String line : output) {
                Matcher matcher = LISTENING.matcher(line);
                if (matcher.find()) {
                    base = URI.create(matcher.group(1));
                    return;
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("the supervisor exited with " + process.exitValue() + ":\n" + String.join("\n", output));
            }
            sleep(20);
        }
        throw new AssertionError("no start-up line within 60 s:\n" + String.join("\n", output));
    }

    /** Waits for the process to end and returns its exit code. */
    public int awaitExit() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the supervisor did not stop within 60 s:\n" + String.join("\n", output));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        sleep(100);
        return process.exitValue();
    }

    /** SIGTERM, through the process handle: {@link Process#destroy()} would also close our end of its output. */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL. */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    public String log() {
        return String.join("\n", output);
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
