package org.sidekiqsupervisor.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
    /** Real Sidekiq 6.4 (Debian's ruby-sidekiq) and Faraday: {@link RealSidekiq#of RealSidekiq.of(6)}. */
    SIDEKIQ_6("Sidekiq 6.4 (Debian's) and Faraday for Ruby", "apt-get install ruby-sidekiq ruby-faraday") {
        @Override
        Optional<String> findWhyMissing() {
            return RealSidekiq.whyMissing(6);
        }
    },
    /** Real Sidekiq 7.3 on Debian's Ruby, from the shared Sidekiq sources beside the project: {@code RealSidekiq.of(7)}. */
    SIDEKIQ_7("Sidekiq 7.3 (../shared/sidekiq on Debian's Ruby) and Faraday",
            "apt-get install ruby ruby-faraday, and keep the shared directory beside the project (../shared/sidekiq; "
                    + "or point -D" + RealSidekiq.SCRIPT_PROPERTY + " at its bin/sidekiq-env)") {
        @Override
        Optional<String> findWhyMissing() {
            return RealSidekiq.whyMissing(7);
        }
    },
    /** Real Sidekiq 8.1 on JRuby 10, from the shared Sidekiq sources beside the project: {@code RealSidekiq.of(8)}. */
    SIDEKIQ_8("Sidekiq 8.1 (../shared/sidekiq on JRuby 10) and Faraday",
            "a Java of 21 or later under /usr/lib/jvm (JRuby 10 runs on it; Temurin 25 on the project's machines), "
                    + "Maven Central reachable once (JRuby is fetched into ~/.m2), apt-get install ruby-faraday, and the "
                    + "shared directory beside the project (../shared/sidekiq; or point -D" + RealSidekiq.SCRIPT_PROPERTY
                    + " at its bin/sidekiq-env)") {
        @Override
        Optional<String> findWhyMissing() {
            return RealSidekiq.whyMissing(8);
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
}
