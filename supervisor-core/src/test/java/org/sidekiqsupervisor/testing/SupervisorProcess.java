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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone jar running as a real process in its own working directory, its output collected. The jar is
 * the system property {@code supervisor.jar} (set by the build), else the standalone module's.
 */
public final class SupervisorProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://[^ ]+/)");
    /** How long a start or a stop may take before the test gives up: long enough for any machine, however busy. */
    private static final long PATIENCE_SECONDS = 120;

    final Process process;
    final List<String> output = new CopyOnWriteArrayList<>();
    /** The base URL from the start-up line; completed exceptionally if the output ends without one. */
    private final CompletableFuture<URI> listening = new CompletableFuture<>();
    private final Thread reader;

    private SupervisorProcess(Process process) {
        this.process = process;
        reader = new Thread(this::collectOutput, "supervisor-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Reads the process's output to its end, noting the start-up line as it goes by. */
    private void collectOutput() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                output.add(line);
                Matcher matcher = LISTENING.matcher(line);
                if (!listening.isDone() && matcher.find()) {
                    listening.complete(URI.create(matcher.group(1)));
                }
            }
        } catch (IOException e) {
            output.add("(output unreadable: " + e + ")");
        } finally {
            listening.completeExceptionally(new IllegalStateException("the output ended without a start-up line"));
        }
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

    /** The base URL of the running server, from its start-up line; null before {@link #awaitListening()} returned. */
    public URI base() {
        return listening.getNow(null);
    }

    /** Starts the server and waits for its start-up line. */
    public static SupervisorProcess serve(Path dir, Map<String, String> env, String... args) {
        SupervisorProcess supervisor = launch(dir, env, args);
        supervisor.awaitListening();
        return supervisor;
    }

    /** Waits for the start-up line; fails with the output if the process exits first. */
    public void awaitListening() {
        try {
            listening.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the supervisor exited with " + awaitExit() + ":\n" + log(), e);
        } catch (TimeoutException e) {
            throw new AssertionError("no start-up line within " + PATIENCE_SECONDS + " s:\n" + log(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the process to end and for all of its output to be read, and returns its exit code. */
    public int awaitExit() {
        try {
            if (!process.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the supervisor did not stop within " + PATIENCE_SECONDS + " s:\n" + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        awaitOutputEnd();
        return process.exitValue();
    }

    /** The process has ended: its last lines are read once the reader sees the end of its output. */
    private void awaitOutputEnd() {
        try {
            reader.join(TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, through the process handle: {@link Process#destroy()} would also close our end of its output. */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL. */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    /**
     * The server's threads and their stacks right now, from the JDK's jcmd next to this JVM's java: how a test sees
     * what a request thread is doing (a request being read, say) without the server having to report it.
     */
    public String threadDump() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process dump = new ProcessBuilder(jcmd.toString(), String.valueOf(pid()), "Thread.print").redirectErrorStream(true).start();
            String text = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!dump.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS)) {
                dump.destroyForcibly();
                throw new AssertionError("jcmd did not answer within " + PATIENCE_SECONDS + " s");
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Everything the process printed so far, one line after another. */
    public String log() {
        return String.join("\n", output);
    }

    /** Pauses the calling thread, for a client that backs off or lets the server get ahead; never a proof of anything. */
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
