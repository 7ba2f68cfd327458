package org.sidekiqsupervisor.manager;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.JobTimings;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.model.RestartResult;

/**
 * The supervisor's metrics, on a Micrometer registry (Prometheus names: {@code supervisor_events_total},
 * {@code supervisor_ingest_seconds}, {@code supervisor_jobs}, {@code supervisor_jobs_lost},
 * {@code supervisor_restarts_total}, {@code supervisor_restarts_skipped_total}, {@code supervisor_job_run_seconds},
 * {@code supervisor_job_wait_seconds}, {@code supervisor_store_up}, {@code supervisor_redis_up}).
 *
 * <p>Job classes become a label; past {@value #MAX_CLASSES} distinct classes the rest are counted as {@code other},
 * so a misbehaving client cannot blow up the series count. Gauges that need a query (jobs by status, lost jobs) are
 * computed at most every {@link #GAUGE_REFRESH} whatever the scrape rate. Thread-safe.
 */
final class SupervisorMetrics {
    static final int MAX_CLASSES = 100;
    static final Duration GAUGE_REFRESH = Duration.ofSeconds(15);
    /** Histogram buckets for job durations: from 10 ms to an hour. */
    private static final Duration[] DURATION_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofHours(1)};
    private static final Duration[] INGEST_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5)};

    private final MeterRegistry registry;
    private final Timer ingest;
    private final Set<String> classes = ConcurrentHashMap.newKeySet();
    /** The hot path's meters by status and class (or class), so that an event costs a map lookup, not a registration. */
    private final Map<String, Counter> events = new ConcurrentHashMap<>();
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();

    SupervisorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.ingest = Timer.builder("supervisor.ingest").description("time to record a request's events, until they are durable (journal write or commit)")
                .serviceLevelObjectives(INGEST_BUCKETS).register(registry);
    }

    Timer ingest() {
        return ingest;
    }

    /** Counts recorded events and, for the ones that started or completed a job, its wait or run time. */
    void recorded(List<JobEvent> recorded, List<RecordResult> results) {
        for (int i = 0; i < results.size(); i++) {
            RecordResult result = results.get(i);
            if (result.outcome() == RecordResult.Outcome.DUPLICATE) {
                continue;
            }
            JobEvent event = recorded.get(i);
            Job job = result.job();
            String jobClass = classLabel(job.jobClass());
            events.computeIfAbsent(event.status().wireName() + '\u0000' + jobClass, key -> Counter.builder("supervisor.events")
                    .description("events recorded (duplicates left out)").tag("status", event.status().wireName())
                    .tag("job_class", jobClass).register(registry)).increment();
            // The same rule as the store's rollups, which the dashboard's overview reads.
            Duration wait = JobTimings.waitToldBy(event, job);
            if (wait != null) {
                duration("supervisor.job.wait", "queued to started", jobClass).record(wait);
            }
            Duration run = JobTimings.runToldBy(event, job);
            if (run != null) {
                duration("supervisor.job.run", "started to complete", jobClass).record(run);
            }
        }
    }

    void restarted(RestartResult result) {
        if (result.dryRun()) {
            return;
        }
        Counter.builder("supervisor.restarts").description("jobs put back on Sidekiq's queues").register(registry)
                .increment(result.restarted().size());
        for (RestartResult.Skipped skipped : result.skipped()) {
            Counter.builder("supervisor.restarts.skipped").description("jobs a restart left alone, by reason")
                    .tag("reason", skipped.reason()).register(registry).increment();
        }
    }

    /** Jobs by status, from {@code counts}, computed at most every {@link #GAUGE_REFRESH}. */
    void jobsByStatus(Supplier<Map<JobStatus, Long>> counts) {
        Cached<Map<JobStatus, Long>> cached = new Cached<>(counts, () -> new EnumMap<>(JobStatus.class));
        for (JobStatus status : JobStatus.values()) {
            Gauge.builder("supervisor.jobs", cached, c -> {
                Long count = c.get().get(status);
                return count == null ? Double.NaN : count;
            })
                    .description("jobs by current status").tag("status", status.wireName()).strongReference(true).register(registry);
        }
    }

    /** One complete look at Sidekiq: how many, how long, how much of Redis it read, how many jobs it found lost. */
    void looked(org.sidekiqsupervisor.model.LookSummary look) {
        Timer.builder("supervisor.looks").description("complete looks at Sidekiq (contract 5b), and how long each took")
                .register(registry).record(look.took());
        Counter.builder("supervisor.looks.entries.read").description("entries of Sidekiq's queues, sets and lists the looks read")
                .register(registry).increment(look.entriesRead());
        Counter.builder("supervisor.looks.lost").description("jobs the looks found lost").register(registry)
                .increment(look.newlyLost());
    }

    void lostJobs(Supplier<Long> count) {
        Cached<Long> cached = new Cached<>(count, () -> null);
        Gauge.builder("supervisor.jobs.lost", cached, c -> c.get() == null ? Double.NaN : c.get())
                .description("started jobs Sidekiq has no trace of (of the newest 2,000 started)").strongReference(true).register(registry);
    }

    /** The store's journal backlog: events acknowledged and not yet applied (0 without a journal). */
    void unapplied(Supplier<Long> events) {
        Gauge.builder("supervisor.ingest.journal.pending.events", events, Supplier::get)
                .description("events acknowledged from the ingest journal and not yet applied to the store").strongReference(true)
                .register(registry);
    }

    void up(String what, Supplier<Boolean> check) {
        Gauge.builder("supervisor." + what + ".up", check, c -> {
            try {
                return c.get() ? 1 : 0;
            } catch (RuntimeException e) {
                return 0;
            }
        }).description("1 when the " + what + " answers").strongReference(true).register(registry);
    }

    private Timer duration(String name, String description, String jobClass) {
        return durations.computeIfAbsent(name + '\u0000' + jobClass, key -> Timer.builder(name).description(description)
                .tag("job_class", jobClass).serviceLevelObjectives(DURATION_BUCKETS).register(registry));
    }

    private String classLabel(String jobClass) {
        String name = jobClass == null ? "" : jobClass;
        if (classes.contains(name)) {
            return name;
        }
        if (classes.size() < MAX_CLASSES) {
            classes.add(name);
            return name;
        }
        return "other";
    }

    /** A value recomputed at most every {@link #GAUGE_REFRESH}; a failure keeps the fallback (NaN on scrape). */
    private static final class Cached<T> {
        private final Supplier<T> compute;
        private final Supplier<T> fallback;
        private T value;
        private long computedAt = Long.MIN_VALUE;

        Cached(Supplier<T> compute, Supplier<T> fallback) {
            this.compute = compute;
            this.fallback = fallback;
        }

        synchronized T get() {
            long now = System.nanoTime();
            if (computedAt == Long.MIN_VALUE || now - computedAt > GAUGE_REFRESH.toNanos()) {
                try {
                    value = compute.get();
                } catch (RuntimeException e) {
                    value = fallback.get();
                }
                computedAt = now;
            }
            return value;
        }
    }
}
