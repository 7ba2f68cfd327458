package org.sidekiqsupervisor.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Real Sidekiq of one major version, as programs to start: a {@code sidekiq} and the {@code ruby} it runs on, with
 * the environment they need. Sidekiq 6 is Debian's {@code ruby-sidekiq} (6.4) on the {@code PATH}. Sidekiq 7 (7.3 on
 * Debian's Ruby) and 8 (8.1 on JRuby 10, on a Java of 21 or later) come from the shared Sidekiq sources beside the
 * project: their {@code bin/sidekiq-env} script writes the two programs as wrappers into a directory of the build.
 * A test asks for one through {@link Service#SIDEKIQ_6}, {@link Service#SIDEKIQ_7} or {@link Service#SIDEKIQ_8}
 * first, which say what is missing; {@link #of} then hands it over. Thread-safe.
 */
public final class RealSidekiq {
    /** The system property naming the {@code sidekiq-env} script (the build sets it to the shared copy beside the project). */
    public static final String SCRIPT_PROPERTY = "sidekiq.env";
    /** The system property naming the directory the wrappers are written under, one subdirectory per major version. */
    public static final String DIRECTORY_PROPERTY = "sidekiq.env.dir";
    /** Where the script is when the property is not set: the shared directory beside the project. */
    private static final Path SCRIPT_IN_SHARED = Path.of("shared", "sidekiq", "bin", "sidekiq-env");
    /**
     * How long writing the wrappers may take: the first use of Sidekiq 8 fetches JRuby (about 35 MB) from Maven
     * Central into the local repository.
     */
    private static final long SCRIPT_PATIENCE_SECONDS = 600;
    /** How long loading Sidekiq may take: JRuby alone starts in about 10 s, longer on a busy machine. */
    private static final long LOAD_PATIENCE_SECONDS = 180;

    /** Each version is prepared and checked once per test run: the outcome, a wrapper directory or why there is none. */
    private static final Map<Integer, Prepared> PREPARED = new ConcurrentHashMap<>();

    private final int major;
    private final Path ruby;
    private final Path sidekiq;
    /**
     * The directory of the two wrappers, first on the PATH of every process started with {@link #environment()};
     * null for Debian's Sidekiq 6, which is on the PATH as it is.
     */
    private final Path wrappers;

    private RealSidekiq(int major, Path ruby, Path sidekiq, Path wrappers) {
        this.major = major;
        this.ruby = ruby;
        this.sidekiq = sidekiq;
        this.wrappers = wrappers;
    }

    /** The outcome of preparing one version: the installation, or why this machine cannot run it. */
    private record Prepared(RealSidekiq sidekiq, String whyMissing) {
    }

    /**
     * Real Sidekiq of this major version (6, 7 or 8); fails when this machine cannot run it (a test checks the
     * version's {@link Service} first, which skips it or, under CI, fails it with the reason).
     */
    public static RealSidekiq of(int major) {
        Prepared prepared = prepared(major);
        if (prepared.sidekiq() == null) {
            throw new IllegalStateException("no real Sidekiq " + major + " here: " + prepared.whyMissing());
        }
        return prepared.sidekiq();
    }

    /** Why this machine cannot run real Sidekiq of this major version, or empty when it can. */
    static Optional<String> whyMissing(int major) {
        return Optional.ofNullable(prepared(major).whyMissing());
    }

    private static Prepared prepared(int major) {
        if (major < 6 || major > 8) {
            throw new IllegalArgumentException("Sidekiq " + major + " is not one the tests run (6, 7 or 8)");
        }
        return PREPARED.computeIfAbsent(major, RealSidekiq::prepare);
    }

    private static Prepared prepare(int major) {
        try {
            RealSidekiq sidekiq = major == 6 ? debians() : fromShared(major);
            String loaded = sidekiq.rubyOutput("require 'sidekiq'; require 'faraday'; print Sidekiq::VERSION");
            if (!loaded.startsWith(major + ".")) {
                return new Prepared(null, sidekiq.ruby + " loads Sidekiq " + loaded + ", not " + major + ".x");
            }
            return new Prepared(sidekiq, null);
        } catch (MissingException e) {
            return new Prepared(null, e.getMessage());
        }
    }

    /** Debian's ruby-sidekiq, found on the PATH as a shell would. */
    private static RealSidekiq debians() {
        Optional<Path> ruby = Executables.onPath("ruby");
        Optional<Path> sidekiq = Executables.onPath("sidekiq");
        if (ruby.isEmpty() || sidekiq.isEmpty()) {
            throw new MissingException((ruby.isEmpty() ? "ruby" : "sidekiq") + " not on the PATH");
        }
        return new RealSidekiq(6, ruby.get(), sidekiq.get(), null);
    }

    /** Sidekiq 7 or 8: the shared script writes its wrappers into a directory of this run. */
    private static RealSidekiq fromShared(int major) {
        Path script = script();
        Path directory = wrapperDirectory().resolve(String.valueOf(major));
        // Through bash: a copy of the shared directory may have lost the script's executable bit.
        String output = run(List.of("bash", script.toString(), String.valueOf(major), directory.toString()), Map.of(),
                SCRIPT_PATIENCE_SECONDS);
        RealSidekiq sidekiq = new RealSidekiq(major, directory.resolve("ruby"), directory.resolve("sidekiq"), directory);
        if (!Files.isExecutable(sidekiq.ruby) || !Files.isExecutable(sidekiq.sidekiq)) {
            throw new MissingException(script + " " + major + " wrote no ruby and sidekiq into " + directory + ": " + output);
        }
        return sidekiq;
    }

    /** The script: the system property, else {@code shared/sidekiq/bin/sidekiq-env} beside the project or above. */
    private static Path script() {
        String configured = System.getProperty(SCRIPT_PROPERTY);
        if (configured != null) {
            Path script = Path.of(configured).toAbsolutePath().normalize();
            if (!Files.isRegularFile(script)) {
                throw new MissingException("no " + script + " (the system property " + SCRIPT_PROPERTY
                        + "; the build sets it to the shared directory beside the project, ../shared)");
            }
            return script;
        }
        for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
            Path candidate = directory.resolve(SCRIPT_IN_SHARED);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new MissingException("no " + SCRIPT_IN_SHARED + " in " + Path.of("").toAbsolutePath()
                + " or any directory above it, and no system property " + SCRIPT_PROPERTY);
    }

    private static Path wrapperDirectory() {
        String configured = System.getProperty(DIRECTORY_PROPERTY);
        try {
            return configured != null ? Path.of(configured).toAbsolutePath().normalize()
                    : Files.createTempDirectory("sidekiq-env");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a program to its end and returns its output; a failure to start, a time-out or an exit code is missing. */
    private static String run(List<String> command, Map<String, String> environment, long patienceSeconds) {
        Process process;
        Path log;
        try {
            // The output goes to a file: a program that leaves a child holding its pipe cannot hang the test.
            log = Files.createTempFile("real-sidekiq", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new MissingException(command.get(0) + " did not start (" + e.getMessage() + ")");
        }
        try {
            if (!process.waitFor(patienceSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new MissingException(String.join(" ", command) + " did not finish within " + patienceSeconds + " s");
            }
            String output = Files.readString(log, StandardCharsets.UTF_8).strip();
            Files.deleteIfExists(log);
            if (process.exitValue() != 0) {
                throw new MissingException(String.join(" ", command) + " exited with " + process.exitValue() + ": " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MissingException("interrupted while running " + String.join(" ", command));
        }
    }

    /** Runs a Ruby script on this version's Ruby, with Sidekiq on its load path, and returns what it printed. */
    public String rubyOutput(String script) {
        String output = run(List.of(ruby.toString(), "-e", script), environment(), LOAD_PATIENCE_SECONDS);
        String[] lines = output.split("\n");
        return lines[lines.length - 1].strip();
    }

    /** The major version: 6, 7 or 8. */
    public int major() {
        return major;
    }

    /** The {@code sidekiq} program, to start with the usual arguments ({@code -r ./app.rb -c 5 ...}). */
    public Path sidekiq() {
        return sidekiq;
    }

    /** The {@code ruby} program Sidekiq runs on (Debian's Ruby for 6 and 7, JRuby for 8), with Sidekiq on its load path. */
    public Path ruby() {
        return ruby;
    }

    /**
     * What a process started with these programs adds to its environment: for 7 and 8, the wrappers' directory first
     * on the {@code PATH}, so that a {@code ruby} or {@code sidekiq} it starts in turn is the same version; for
     * Debian's 6, nothing.
     */
    public Map<String, String> environment() {
        if (wrappers == null) {
            return Map.of();
        }
        String path = System.getenv("PATH");
        return Map.of("PATH", path == null || path.isEmpty() ? wrappers.toString() : wrappers + File.pathSeparator + path);
    }

    @Override
    public String toString() {
        return "Sidekiq " + major + " (" + sidekiq + ")";
    }

    /** This machine cannot run the version; the message says why. */
    private static final class MissingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MissingException(String why) {
            super(why);
        }
    }
}
