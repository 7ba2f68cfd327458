package org.sidekiqsupervisor.benchmarks;

import static org.sidekiqsupervisor.benchmarks.BacklogBenchmark.COMPLETE;
import static org.sidekiqsupervisor.benchmarks.BacklogBenchmark.MAX_EVENTS_PER_BATCH;
import static org.sidekiqsupervisor.benchmarks.BacklogBenchmark.PROCESSES;
import static org.sidekiqsupervisor.benchmarks.BacklogBenchmark.QUEUED;
import static org.sidekiqsupervisor.benchmarks.BacklogBenchmark.STARTED;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import redis.clients.jedis.Jedis;

/**
 * The supervisor's jobs and their place in Sidekiq, on a timeline ending {@code now}: complete and queued jobs over the
 * last hour, the started ones in the last few minutes (so the first page of jobs holds them, as when something runs),
 * each started job older than the default grace period, and the lost ones held nowhere.
 */
final class BacklogJobs {
    private static final long MINUTE_MICROS = 60_000_000L;
    final List<String> running = new ArrayList<>();
    final List<String> lost = new ArrayList<>();
    /** A started job that Sidekiq's shutdown put back on queue:default: held, never lost. */
    final String requeued = SidekiqBacklog.jid(0, 30_000);
    private final long now;
    private final HttpClient client;

    BacklogJobs(long now, HttpClient client) {
        this.now = now;
        this.client = client;
        for (int i = 0; i < STARTED; i++) {
            (i % 5 == 4 ? lost : running).add(SidekiqBacklog.jid(0, 20_000 + i));
        }
    }

    private long completeQueuedAt(int i) {
        return now - 60 * MINUTE_MICROS + 55 * MINUTE_MICROS * i / COMPLETE;
    }

    private long queuedAt(int i) {
        return now - 60 * MINUTE_MICROS + 55 * MINUTE_MICROS * i / QUEUED;
    }

    private long startedAt(int i) {
        return now - 3 * MINUTE_MICROS + 2_000_000L * i;
    }

    private String requeuedPayload() {
        return SidekiqBacklog.payload(requeued, SidekiqBacklog.jobClass(30_000), "default", SidekiqBacklog.arguments(30_000),
                startedAt(0) - 60_000_000L);
    }

    /** Takes the requeued job out of its queue and puts it back at the tail, as Sidekiq's shutdown does (RPUSH). */
    void requeueAtTheTail(Jedis redis) {
        redis.lrem("queue:default", 0, requeuedPayload());
        redis.rpush("queue:default", requeuedPayload());
    }

    /** Reports every job of the queues' backlog queued, as the client middleware does, through the batch endpoint. */
    long reportBacklog(URI base, SidekiqBacklog.Sizes sizes) throws Exception {
        List<String> batch = new ArrayList<>();
        long[] reported = {0};
        Exception[] failure = {null};
        SidekiqBacklog.forEachQueued(sizes, now, job -> {
            if (failure[0] != null) {
                return;
            }
            batch.add("{\"job_id\":\"" + job.jid() + "\",\"status\":\"queued\",\"at\":" + SidekiqBacklog.seconds(job.enqueuedMicros())
                    + ",\"job_class\":\"" + job.jobClass() + "\",\"queue\":\"" + job.queue() + "\",\"arguments\":"
                    + job.argumentsJson() + "}");
            if (batch.size() == MAX_EVENTS_PER_BATCH) {
                try {
                    post(base, batch);
                } catch (Exception e) {
                    failure[0] = e;
                }
                reported[0] += batch.size();
                batch.clear();
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        if (!batch.isEmpty()) {
            post(base, batch);
            reported[0] += batch.size();
        }
        return reported[0];
    }

    /** What Sidekiq holds of them: the queued ones in queue:default, the running ones in two live processes' work. */
    void writeSidekiqSide(Jedis redis, long nowMicros) {
        for (int i = 0; i < QUEUED; i++) {
            long n = 10_000 + i;
            SidekiqBacklog.push(redis, "default", SidekiqBacklog.payload(SidekiqBacklog.jid(0, n), SidekiqBacklog.jobClass(n),
                    "default", SidekiqBacklog.arguments(n), queuedAt(i)));
        }
        redis.rpush("queue:default", requeuedPayload());
        for (int p = 0; p < PROCESSES.size(); p++) {
            List<SidekiqBacklog.Running> work = new ArrayList<>();
            for (int i = 0; i < STARTED; i++) {
                String jid = SidekiqBacklog.jid(0, 20_000 + i);
                if (running.contains(jid) && i % PROCESSES.size() == p) {
                    long n = 20_000 + i;
                    work.add(new SidekiqBacklog.Running(jid, SidekiqBacklog.jobClass(n), SidekiqBacklog.arguments(n),
                            startedAt(i) - 60_000_000L, startedAt(i)));
                }
            }
            String identity = PROCESSES.get(p);
            SidekiqBacklog.liveProcess(redis, identity, identity.substring(0, identity.indexOf(':')), 7001 + p, nowMicros, work);
        }
    }

    /** Records every job through the batch endpoint, as a buffering middleware sends events. */
    void record(URI base) throws Exception {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < COMPLETE; i++) {
            long n = i;
            long queued = completeQueuedAt(i);
            events.add(event(n, "queued", queued, true));
            events.add(event(n, "started", queued + 1_000_000L, false));
            events.add(event(n, "complete", queued + 3_000_000L, false));
        }
        for (int i = 0; i < QUEUED; i++) {
            events.add(event(10_000 + i, "queued", queuedAt(i), true));
        }
        for (int i = 0; i < STARTED; i++) {
            events.add(event(20_000 + i, "queued", startedAt(i) - 60_000_000L, true));
            events.add(event(20_000 + i, "started", startedAt(i), false));
        }
        events.add(event(30_000, "queued", startedAt(0) - 60_000_000L, true));
        events.add(event(30_000, "started", startedAt(0), false));
        for (int from = 0; from < events.size(); from += MAX_EVENTS_PER_BATCH) {
            post(base, events.subList(from, Math.min(events.size(), from + MAX_EVENTS_PER_BATCH)));
        }
    }

    private void post(URI base, List<String> events) throws IOException, InterruptedException {
        String body = "[" + String.join(",", events) + "]";
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(base.resolve("api/v1/events"))
                .timeout(Duration.ofMinutes(1)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() / 100 != 2) {
            throw new IllegalStateException("the supervisor did not record a batch of jobs: " + answer.statusCode() + " "
                    + answer.body());
        }
    }

    private String event(long n, String status, long atMicros, boolean withJob) {
        String event = "{\"job_id\":\"" + SidekiqBacklog.jid(0, n) + "\",\"status\":\"" + status + "\",\"at\":"
                + SidekiqBacklog.seconds(atMicros);
        return withJob ? event + ",\"job_class\":\"" + SidekiqBacklog.jobClass(n) + "\",\"queue\":\"default\",\"arguments\":"
                + SidekiqBacklog.arguments(n) + "}" : event + "}";
    }
}
