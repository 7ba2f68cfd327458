package org.sidekiqsupervisor.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Something outside the JVM that an integration test needs, how to tell whether this machine has it, and how to get
 * it. Used through {@link RequiresService}.
 */
public enum Service {
    /** The PostgreSQL server {@link PostgresDatabase} creates its databases on. */
    POSTGRES("PostgreSQL", "start PostgreSQL on 127.0.0.1:5432 with user postgres and trust auth (apt-get install postgresql; "
            + "pg_ctlcluster <version> main start), or point SUPERVISOR_TEST_POSTGRES_URL at a server") {
        @Override
        Optional<String> findWhyMissing() {
            return PostgresDatabase.whyUnreachable();
        }
    },
    /** The {@code redis-server} program, which {@link RedisServer} starts once per test on a free port. */
    REDIS_SERVER("redis-server", "apt-get install redis-server (the tests start their own on a free port)") {
        @Override
        Optional<String> findWhyMissing() {
            return notOnPath("redis-server");
        }
    },
    /** Debian's headless Chromium and the driver Selenium talks to. */
    CHROMIUM("Chromium and chromedriver", "apt-get install chromium chromium-driver") {
        @Override
        Optional<String> findWhyMissing() {
            return notOnPath("chromium", "chromedriver");
        }
    },
    /** Ruby with its standard library, for the middleware's reporter. */
    RUBY("Ruby", "apt-get install ruby") {
        @Override
        Optional<String> findWhyMissing() {
            return notOnPath("ruby");
        }
    },
    /** Real Sidekiq (Debian's 6.4) and Faraday, which the demo app and the original middleware use. */
    RUBY_SIDEKIQ("Sidekiq and Faraday for Ruby", "apt-get install ruby-sidekiq ruby-faraday") {
        @Override
        Optional<String> findWhyMissing() {
            Optional<String> programs = notOnPath("ruby", "sidekiq");
            return programs.isPresent() ? programs : rubyCannotLoad("sidekiq", "faraday");
        }
    },
    /** The HTTP load generator the ingest benchmark drives. */
    WRK("wrk", "apt-get install wrk") {
        @Override
        Optional<String> findWhyMissing() {
            return notOnPath("wrk");
        }
    };

    /** Each service is looked for once per test run: a missing one does not cost its check again for every test. */
    private static final Map<Service, Optional<String>> CHECKED = new ConcurrentHashMap<>();

    private final String displayName;
    private final String howToGet;

    Service(String displayName, String howToGet) {
        this.displayName = displayName;
        this.howToGet = howToGet;
    }

    /** What the service is called in a skip or failure message. */
    public String displayName() {
        return displayName;
    }

    /** What to do on this machine to have the service. */
    public String howToGet() {
        return howToGet;
    }

    /** Why this machine lacks the service, or empty when it has it. */
    public Optional<String> whyMissing() {
        return CHECKED.computeIfAbsent(this, Service::findWhyMissing);
    }

    /** Looks on this machine, every time it is called: {@link #whyMissing()} keeps the answer. */
    abstract Optional<String> findWhyMissing();

    private static Optional<String> notOnPath(String... programs) {
        List<String> missing = new ArrayList<>();
        for (String program : programs) {
            if (Executables.onPath(program).isEmpty()) {
                missing.add(program);
            }
        }
        return missing.isEmpty() ? Optional.empty() : Optional.of(String.join(" and ", missing) + " not on the PATH");
    }

    private static Optional<String> rubyCannotLoad(String... libraries) {
        StringBuilder script = new StringBuilder();
        for (String library : libraries) {
            script.append("require '").append(library).append("'; ");
        }
        try {
            Process ruby = new ProcessBuilder("ruby", "-e", script.toString()).redirectErrorStream(true).start();
            String output = new String(ruby.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (!ruby.waitFor(60, TimeUnit.SECONDS)) {
                ruby.destroyForcibly();
                return Optional.of("ruby did not load " + String.join(" and ", libraries) + " within 60 s");
            }
            return ruby.exitValue() == 0 ? Optional.empty()
                    : Optional.of("ruby cannot load " + String.join(" and ", libraries) + " (" + output + ")");
        } catch (IOException e) {
            return Optional.of("ruby did not run (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while asking ruby to load " + String.join(" and ", libraries));
        }
    }
}
