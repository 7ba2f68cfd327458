package org.sidekiqsupervisor.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.internal.Json;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RestartPolicy;
import org.sidekiqsupervisor.model.RestartRequest;
import org.sidekiqsupervisor.model.RestartResult;
import org.sidekiqsupervisor.sidekiq.SidekiqPayloads;
import org.sidekiqsupervisor.sidekiq.SidekiqUnavailableException;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;
import org.sidekiqsupervisor.testing.TestClock;

/** Lost jobs and their restart, with a real store and a real redis-server. */
@RequiresService(Service.REDIS_SERVER)
class RestartIT {
    private static final Instant NOW = Instant.parse("2026-11-28T18:00:00Z");
    private static final Instant LONG_AGO = NOW.minusSeconds(600);
    /** How far apart two looks must be for a job missed by both to be lost: the grace, 60 s, and a little. */
    private static final Duration LOOKS_APART = Duration.ofSeconds(61);
    private RedisServer server;
    private FakeSidekiq sidekiq;
    private Supervisor supervisor;
    private JobManager jobs;
    private String database;
    private TestClock clock;

    @BeforeEach
    void start() {
        server = RedisServer.start();
        sidekiq = new FakeSidekiq(server, 6);
        database = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        // The first looks begin this far before NOW, so that the second of them, and the restarts after it, run at NOW.
        clock = new TestClock(NOW.minus(LOOKS_APART));
        supervisor = supervisor(3);
        jobs = supervisor.jobManager();
    }

    private Supervisor supervisor(int maxRestarts) {
        return Supervisor.builder().databaseUrl(database).redisUrl(server.url()).sidekiqVersion(SidekiqVersion.V6)
                .lostGrace(Duration.ofSeconds(60)).maxRestarts(maxRestarts).clock(clock).lookInterval(Duration.ZERO).build();
    }

    /** Two looks at Sidekiq far enough apart, as the background ones make them: a job held nowhere by both is lost. */
    private void looks() {
        looks(jobs);
    }

    private void looks(JobManager manager) {
        manager.lookAtSidekiq();
        clock.advance(LOOKS_APART);
        manager.lookAtSidekiq();
    }

    @AfterEach
    void stop() {
        supervisor.close();
        sidekiq.close();
        server.close();
    }

    private void started(String jid, Instant at) {
        jobs.recordAll(List.of(new JobEvent(jid, JobStatus.QUEUED, at.minusSeconds(1), "HardWorker", "default",
                "[\"" + jid + "\",12345678901234567890]", null, null, null), JobEvent.of(jid, JobStatus.STARTED, at)));
    }

    /** One job in every situation Sidekiq can be in. */
    private void aMixOfJobs() {
        started("running", LONG_AGO);
        sidekiq.liveProcess("host:1:aaa", Map.of("t1", "running"));
        started("requeued", LONG_AGO);
        sidekiq.enqueued("requeued", "default");
        started("retrying", LONG_AGO);
        sidekiq.inSet("retry", "retrying");
        started("lost", LONG_AGO);
        started("justStarted", NOW.minusSeconds(10));
        jobs.recordAll(List.of(JobEvent.of("done", JobStatus.STARTED, LONG_AGO), JobEvent.of("done", JobStatus.COMPLETE, LONG_AGO)));
    }

    @Test
    void a_lost_job_is_one_that_two_looks_a_grace_period_apart_found_nowhere_in_sidekiq() {
        aMixOfJobs();
        assertThat(jobs.lostJobs((String) null)).as("no look yet").isEmpty();
        jobs.lookAtSidekiq();
        assertThat(jobs.lostJobs((String) null)).as("one look").isEmpty();
        clock.advance(LOOKS_APART);
        jobs.lookAtSidekiq();
        assertThat(jobs.lostJobs((String) null)).extracting(Job::jobId).containsExactly("lost");
        assertThat(jobs.queries().list(JobQuery.builder().limit(10).build(), true).jobs()).extracting(Job::jobId).containsExactly("lost");
        assertThat(jobs.lostJobs("nothing-matches")).isEmpty();
        assertThat(jobs.queries().list(JobQuery.builder().limit(10).build(), false).lostIds()).containsExactly("lost");
    }

    @Test
    void a_queued_job_held_nowhere_is_lost_too_and_one_that_waits_in_a_queue_or_the_schedule_or_retry_never() {
        // Queued only: its started was buffered in a Sidekiq process SIGKILLed while the supervisor was unreachable.
        for (String jid : List.of("vanished", "waiting", "scheduledLater", "retrying", "deletedByHand")) {
            jobs.record(new JobEvent(jid, JobStatus.QUEUED, LONG_AGO, "HardWorker", "default", "[1]", null, null, null));
        }
        sidekiq.enqueued("waiting", "default");
        sidekiq.inSet("schedule", "scheduledLater");
        sidekiq.inSet("retry", "retrying");
        sidekiq.enqueued("deletedByHand", "default");
        jobs.lookAtSidekiq();
        // Someone deletes a job from its queue by hand between the looks: missing from then on, not lost yet.
        sidekiq.redis().lrem("queue:default", 0, FakeSidekiq.job("deletedByHand", "default"));
        clock.advance(LOOKS_APART);
        jobs.lookAtSidekiq();
        assertThat(jobs.lostJobs((String) null)).extracting(Job::jobId).containsExactly("vanished");
        Job vanished = jobs.queries().job("vanished").orElseThrow().job();
        assertThat(vanished.status()).as("lost is a finding, not a status").isEqualTo(JobStatus.QUEUED);
        assertThat(vanished.lostAt()).isEqualTo(NOW);
        assertThat(vanished.missingSince()).isEqualTo(NOW.minus(LOOKS_APART));

        clock.advance(LOOKS_APART);
        jobs.lookAtSidekiq();
        assertThat(jobs.lostJobs((String) null)).extracting(Job::jobId).containsExactlyInAnyOrder("vanished", "deletedByHand");
        RestartResult restarted = jobs.restartUncompletedJobs(null);
        assertThat(restarted.restarted()).extracting(RestartResult.Restarted::jobId).containsExactlyInAnyOrder("vanished",
                "deletedByHand");
        assertThat(jobs.queries().job("waiting")).hasValueSatisfying(details -> assertThat(details.job().lost()).isFalse());
    }

    @Test
    void news_of_a_job_or_a_look_that_finds_it_clears_what_the_looks_found() {
        started("reported", LONG_AGO);
        started("requeued", LONG_AGO);
        started("stillGone", LONG_AGO);
        looks();
        assertThat(jobs.lostJobs((String) null)).extracting(Job::jobId)
                .containsExactlyInAnyOrder("reported", "requeued", "stillGone");
        // It was running after all (a process cut off from the supervisor): it reports complete.
        jobs.record(JobEvent.of("reported", JobStatus.COMPLETE, clock.instant()));
        // A Sidekiq that came back puts one back on its queue.
        sidekiq.enqueued("requeued", "default");
        clock.advance(Duration.ofSeconds(10));
        jobs.lookAtSidekiq();
        assertThat(jobs.lostJobs((String) null)).extracting(Job::jobId).containsExactly("stillGone");
        Job requeued = jobs.queries().job("requeued").orElseThrow().job();
        assertThat(requeued.lostAt()).isNull();
        assertThat(requeued.missingSince()).isNull();
        assertThat(jobs.queries().job("reported").orElseThrow().job().lostAt()).isNull();
    }

    @Test
    void a_job_missed_by_looks_closer_together_than_a_heartbeat_is_not_lost_whatever_the_grace() {
        supervisor.close();
        supervisor = Supervisor.builder().databaseUrl(database).redisUrl(server.url()).lostGrace(Duration.ZERO).clock(clock)
                .lookInterval(Duration.ZERO).build();
        jobs = supervisor.jobManager();
        // Fetched from its queue a moment ago: in no queue, and in no process's work until the next heartbeat.
        started("justFetched", clock.instant().minusSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        jobs.lookAtSidekiq();
        // Looks a heartbeat (10 s) apart, and a little more: not enough, a slow beat may list it yet.
        clock.advance(Duration.ofSeconds(11));
        jobs.lookAtSidekiq();
        assertThat(jobs.lostJobs((String) null)).isEmpty();
        clock.advance(LostJobs.LEAST_MISSING.minusSeconds(11));
        jobs.lookAtSidekiq();
        assertThat(jobs.lostJobs((String) null)).extracting(Job::jobId).containsExactly("justFetched");
    }

    @Test
    void restart_pushes_the_lost_job_as_sidekiqs_client_would_then_records_it_and_deletes_the_original() throws Exception {
        aMixOfJobs();
        looks();
        RestartResult result = jobs.restartUncompletedJobs(null);

        assertThat(result.error()).isNull();
        assertThat(result.restarted()).singleElement().satisfies(r -> {
            assertThat(r.jobId()).isEqualTo("lost");
            assertThat(r.newJobId()).matches("[0-9a-f]{24}");
            assertThat(r.queue()).isEqualTo("default");
        });
        // Only lost jobs are selected: the others are neither restarted nor listed.
        assertThat(result.skipped()).isEmpty();

        String newJid = result.restarted().get(0).newJobId();
        String pushed = sidekiq.redis().lrange("queue:default", 0, 0).get(0);
        JsonNode payload = Json.MAPPER.readTree(pushed);
        assertThat(payload.get("class").asText()).isEqualTo("HardWorker");
        assertThat(payload.get("jid").asText()).isEqualTo(newJid);
        assertThat(payload.get("args").toString()).isEqualTo("[\"lost\",12345678901234567890]");
        assertThat(payload.get("enqueued_at").decimalValue()).isEqualByComparingTo(String.valueOf(NOW.getEpochSecond()));
        assertThat(sidekiq.redis().smembers("queues")).contains("default");

        Job replacement = jobs.queries().job(newJid).orElseThrow().job();
        assertThat(replacement.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(replacement.restartedFrom()).isEqualTo("lost");
        assertThat(replacement.restarts()).isEqualTo(1);
        assertThat(replacement.arguments()).isEqualTo("[\"lost\",12345678901234567890]");
        assertThat(jobs.queries().job("lost")).isEmpty();
        assertThat(jobs.lostJobs((String) null)).isEmpty();
    }

    /** A job that failed once, as the production middleware sends its hash with the second attempt's {@code started}. */
    private static final String RETRIED_HASH = "{\"retry\":false,\"queue\":\"mail\",\"tags\":[\"billing\"],"
            + "\"args\":[\"ünï\",12345678901234567890],\"class\":\"MailJob\",\"jid\":\"exact\",\"created_at\":1795887450.1,"
            + "\"enqueued_at\":1795887460.2,\"error_message\":\"boom\",\"error_class\":\"RuntimeError\",\"failed_at\":1795887455.3,"
            + "\"retry_count\":0,\"retried_at\":1795887459.4,\"custom\":{\"tenant\":42}}";

    private void startedWithHash(String jid, String hash) {
        jobs.recordAll(List.of(new JobEvent(jid, JobStatus.STARTED, LONG_AGO, "MailJob", "default", "[\"ünï\",12345678901234567890]",
                null, null, null, hash)));
    }

    @Test
    void a_job_with_its_hash_is_pushed_as_that_hash_with_a_new_jid_and_times_and_without_the_retry_bookkeeping() throws Exception {
        startedWithHash("exact", RETRIED_HASH);
        looks();
        RestartResult result = jobs.restartUncompletedJobs(null);

        String newJid = result.restarted().get(0).newJobId();
        // The hash's queue, not the one the event named: it is where Sidekiq runs the job.
        assertThat(result.restarted().get(0).queue()).isEqualTo("mail");
        assertThat(sidekiq.redis().llen("queue:default")).isZero();
        String pushed = sidekiq.redis().lrange("queue:mail", 0, 0).get(0);
        // No live process announces a version: the configured 6's float seconds.
        assertThat(pushed).isEqualTo("{\"retry\":false,\"queue\":\"mail\",\"tags\":[\"billing\"],"
                + "\"args\":[\"ünï\",12345678901234567890],\"class\":\"MailJob\",\"jid\":\"" + newJid + "\","
                + "\"created_at\":1795888800.0,\"enqueued_at\":1795888800.0,\"custom\":{\"tenant\":42}}");
        Job replacement = jobs.queries().job(newJid).orElseThrow().job();
        assertThat(replacement.queue()).isEqualTo("mail");
        assertThat(replacement.payload()).isEqualTo(pushed);
        assertThat(replacement.restartedFrom()).isEqualTo("exact");
    }

    @Test
    void the_timestamp_format_follows_the_version_the_live_processes_announce() throws Exception {
        try (FakeSidekiq sidekiq8 = new FakeSidekiq(server, 8); FakeSidekiq sidekiq7 = new FakeSidekiq(server, 7)) {
            sidekiq8.liveProcess("new:1:aaa", Map.of());
            startedWithHash("exact", RETRIED_HASH);
            started("rebuilt", LONG_AGO);
            looks();
            assertThat(jobs.restartUncompletedJobs(null).restarted()).hasSize(2);
            JsonNode exact = Json.MAPPER.readTree(sidekiq.redis().lrange("queue:mail", 0, 0).get(0));
            JsonNode rebuilt = Json.MAPPER.readTree(sidekiq.redis().lrange("queue:default", 0, 0).get(0));
            for (JsonNode pushed : List.of(exact, rebuilt)) {
                assertThat(pushed.get("enqueued_at").isIntegralNumber()).as(pushed.toString()).isTrue();
                assertThat(pushed.get("enqueued_at").longValue()).isEqualTo(NOW.toEpochMilli());
                assertThat(pushed.get("created_at").longValue()).isEqualTo(NOW.toEpochMilli());
            }

            // A 7.x process still runs beside the 8.x one (a rolling upgrade): float seconds, which both read.
            sidekiq7.liveProcess("old:1:bbb", Map.of());
            started("during-upgrade", LONG_AGO);
            looks();
            assertThat(jobs.restartUncompletedJobs(null).restarted()).hasSize(1);
            JsonNode pushed = Json.MAPPER.readTree(sidekiq.redis().lrange("queue:default", 0, 0).get(0));
            assertThat(pushed.get("args").get(0).asText()).isEqualTo("during-upgrade");
            assertThat(pushed.get("enqueued_at").isFloatingPointNumber()).as(pushed.toString()).isTrue();
            assertThat(pushed.get("enqueued_at").decimalValue()).isEqualByComparingTo(String.valueOf(clock.instant().getEpochSecond()));
        }
    }

    @Test
    void a_dry_run_reports_and_changes_nothing() throws Exception {
        aMixOfJobs();
        looks();
        RestartResult result = jobs.restart(new RestartRequest(null, RestartRequest.Scope.LOST, null, true, 100));
        assertThat(result.dryRun()).isTrue();
        assertThat(result.restarted()).singleElement().satisfies(r -> assertThat(r.newJobId()).isNull());
        assertThat(sidekiq.redis().llen("queue:default")).isEqualTo(1);
        assertThat(jobs.queries().job("lost")).isPresent();
    }

    @Test
    void scope_uncompleted_restarts_every_started_job_as_the_original_did_and_older_than_narrows_it() {
        aMixOfJobs();
        RestartResult recentExcluded = jobs.restart(new RestartRequest(null, RestartRequest.Scope.UNCOMPLETED,
                Duration.ofSeconds(300), true, 100));
        assertThat(recentExcluded.restarted()).extracting(RestartResult.Restarted::jobId)
                .containsExactlyInAnyOrder("running", "requeued", "retrying", "lost");
        RestartResult all = jobs.restart(new RestartRequest("\"running\"", RestartRequest.Scope.UNCOMPLETED, null, false, 100));
        assertThat(all.restarted()).extracting(RestartResult.Restarted::jobId).containsExactly("running");
        assertThat(jobs.queries().job("running")).isEmpty();
    }

    @Test
    void a_poison_pill_stops_being_restarted_after_the_limit_and_keeps_its_lineage() {
        supervisor.close();
        supervisor = supervisor(1);
        jobs = supervisor.jobManager();
        started("pill", LONG_AGO);
        looks();
        String second = jobs.restartUncompletedJobs(null).restarted().get(0).newJobId();
        // A worker takes the replacement off the queue, starts it, dies again, and ten minutes pass.
        assertThat(sidekiq.redis().rpop("queue:default")).contains(second);
        jobs.record(JobEvent.of(second, JobStatus.STARTED, NOW.plusSeconds(1)));
        clock.advance(Duration.ofMinutes(10));
        looks();
        RestartResult again = jobs.restartUncompletedJobs(null);
        assertThat(again.restarted()).isEmpty();
        assertThat(again.skipped()).extracting(s -> s.jobId() + ":" + s.reason()).containsExactly(second + ":quarantined");
        Job shown = jobs.queries().job(second).orElseThrow().job();
        assertThat(shown.restarts()).isEqualTo(1);
        assertThat(shown.restartedFrom()).isEqualTo("pill");
        assertThat(jobs.lostJobs((String) null)).extracting(Job::jobId).containsExactly(second);
        assertThat(jobs.sidekiqSettings().quarantined(shown.restarts())).isTrue();
        // Force alone does not lift a quarantine (it is there because running the job kills a worker every time) ...
        assertThat(jobs.restart(new RestartRequest(null, RestartRequest.Scope.LOST, null, false, 10, null, null, null, true))
                .skipped()).extracting(RestartResult.Skipped::reason).containsExactly("quarantined");
        // ... a person who names the job and forces its restart releases it, once.
        RestartResult released = jobs.restart(new RestartRequest(null, RestartRequest.Scope.LOST, null, false, 10, null, null,
                second, true));
        assertThat(released.restarted()).extracting(RestartResult.Restarted::jobId).containsExactly(second);
        Job third = jobs.queries().job(released.restarted().get(0).newJobId()).orElseThrow().job();
        assertThat(third.restarts()).isEqualTo(2);
        assertThat(jobs.sidekiqSettings().quarantined(third.restarts())).as("still a poison pill if it is lost again").isTrue();
    }

    private Supervisor withPolicies() {
        supervisor.close();
        supervisor = Supervisor.builder().databaseUrl(database).redisUrl(server.url()).sidekiqVersion(SidekiqVersion.V6)
                .lostGrace(Duration.ofSeconds(60)).clock(clock).lookInterval(Duration.ZERO)
                .policy("PaymentJob", RestartPolicy.HOLD).policy("ReportJob", RestartPolicy.NEVER).build();
        jobs = supervisor.jobManager();
        for (String[] job : new String[][] {{"pay", "PaymentJob"}, {"report", "ReportJob"}, {"mail", "HardWorker"}}) {
            jobs.recordAll(List.of(new JobEvent(job[0], JobStatus.QUEUED, LONG_AGO.minusSeconds(1), job[1], "default", "[1]",
                    null, null, null), JobEvent.of(job[0], JobStatus.STARTED, LONG_AGO)));
        }
        return supervisor;
    }

    @Test
    void held_jobs_are_listed_lost_and_restarted_only_when_named_or_forced_and_never_jobs_only_when_forced() {
        withPolicies();
        looks();
        assertThat(jobs.lostJobs((String) null)).extracting(Job::jobId).containsExactlyInAnyOrder("pay", "report", "mail");

        // The watchdog's request (no job named, no force) restarts only the class without a policy.
        RestartResult watchdog = jobs.restart(RestartRequest.lost(null));
        assertThat(watchdog.restarted()).extracting(RestartResult.Restarted::jobId).containsExactly("mail");
        assertThat(watchdog.skipped()).extracting(s -> s.jobId() + ":" + s.reason())
                .containsExactlyInAnyOrder("pay:held", "report:never");

        // A person names the held job: it is restarted. Naming a never job is not enough.
        assertThat(jobs.restart(RestartRequest.lost(null).onlyJob("pay")).restarted())
                .extracting(RestartResult.Restarted::jobId).containsExactly("pay");
        assertThat(jobs.restart(RestartRequest.lost(null).onlyJob("report")).skipped())
                .extracting(RestartResult.Skipped::reason).containsExactly("never");
        RestartResult forced = jobs.restart(new RestartRequest(null, RestartRequest.Scope.LOST, null, false, 10, null, null,
                "report", true));
        assertThat(forced.restarted()).extracting(RestartResult.Restarted::jobId).containsExactly("report");
        assertThat(sidekiq.redis().llen("queue:default")).isEqualTo(3);
    }

    @Test
    void the_limit_stops_a_restart_and_says_there_is_more() {
        for (int i = 0; i < 5; i++) {
            started("l" + i, LONG_AGO.plusSeconds(i));
        }
        looks();
        RestartResult first = jobs.restart(new RestartRequest(null, RestartRequest.Scope.LOST, null, false, 2));
        assertThat(first.restarted()).hasSize(2);
        assertThat(first.more()).isTrue();
        assertThat(jobs.restart(new RestartRequest(null, RestartRequest.Scope.LOST, null, false, 10)).restarted()).hasSize(3);
        assertThat(sidekiq.redis().llen("queue:default")).isEqualTo(5);
    }

    @Test
    void two_supervisors_restarting_at_once_never_push_a_job_twice() throws Exception {
        int lost = 60;
        for (int i = 0; i < lost; i++) {
            started(String.format("race%03d", i), LONG_AGO);
        }
        looks();
        try (Supervisor other = supervisor(3)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Callable<RestartResult>> both = List.of(() -> jobs.restartUncompletedJobs(null),
                        () -> other.jobManager().restartUncompletedJobs(null));
                List<RestartResult> results = new ArrayList<>();
                for (Future<RestartResult> future : pool.invokeAll(both)) {
                    results.add(future.get(60, TimeUnit.SECONDS));
                }
                Set<String> restarted = new HashSet<>();
                int total = 0;
                for (RestartResult result : results) {
                    assertThat(result.error()).isNull();
                    for (RestartResult.Restarted r : result.restarted()) {
                        restarted.add(r.jobId());
                        total++;
                    }
                    assertThat(result.skipped()).allMatch(s -> s.reason().equals("claimed_by_another")
                            || s.reason().equals("restart_in_progress"));
                }
                assertThat(total).isEqualTo(lost);
                assertThat(restarted).hasSize(lost);
            } finally {
                pool.shutdownNow();
            }
        }
        List<String> queued = sidekiq.redis().lrange("queue:default", 0, -1);
        assertThat(queued).hasSize(lost);
        assertThat(queued.stream().map(SidekiqPayloads::jidsIn).distinct()).hasSize(lost);
        assertThat(jobs.queuedJobs(null)).hasSize(lost).allMatch(job -> job.restartedFrom() != null);
        assertThat(jobs.uncompletedJobs(null)).isEmpty();
    }

    @Test
    void a_redis_failure_part_way_loses_nothing() {
        supervisor.close();
        sidekiq.close();
        server.close();
        // A Redis that reads but refuses the push: the claim is taken, then the MULTI fails.
        server = RedisServer.start("--rename-command", "LPUSH", "");
        sidekiq = new FakeSidekiq(server, 6);
        supervisor = supervisor(3);
        jobs = supervisor.jobManager();
        started("lost", LONG_AGO);
        looks();

        assertThatThrownBy(() -> jobs.restartUncompletedJobs(null)).isInstanceOf(SidekiqUnavailableException.class)
                .hasMessageContaining("did not answer");
        Job original = jobs.queries().job("lost").orElseThrow().job();
        assertThat(original.status()).isEqualTo(JobStatus.STARTED);
        assertThat(original.restartingTo()).isNull();
        assertThat(jobs.queuedJobs(null)).isEmpty();
        assertThat(sidekiq.redis().exists("queue:default")).isFalse();
        assertThat(jobs.lostJobs((String) null)).extracting(Job::jobId).containsExactly("lost");
    }

    @Test
    void an_unreachable_redis_keeps_what_the_looks_found_and_fails_looks_and_restarts_clearly() {
        started("lost", LONG_AGO);
        looks();
        server.close();
        // What the looks found is in the store: pages answer without Redis.
        assertThat(jobs.lostJobs((String) null)).extracting(Job::jobId).containsExactly("lost");
        assertThatThrownBy(() -> jobs.lookAtSidekiq()).isInstanceOf(SidekiqUnavailableException.class);
        assertThatThrownBy(() -> jobs.restartUncompletedJobs(null)).isInstanceOf(SidekiqUnavailableException.class);
        Job kept = jobs.queries().job("lost").orElseThrow().job();
        assertThat(kept.restartingTo()).as("claim released").isNull();
        assertThat(kept.lost()).isTrue();
    }

    @Test
    void the_watchdog_restarts_lost_jobs_by_itself() throws Exception {
        started("lost", LONG_AGO);
        try (Supervisor watched = Supervisor.builder().databaseUrl(database).redisUrl(server.url()).lostGrace(Duration.ofSeconds(60))
                .clock(clock).lookInterval(Duration.ZERO).watchdogInterval(Duration.ofMillis(100)).build()) {
            looks(watched.jobManager());
            await("the watchdog's restart").atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(watched.jobManager().queries().job("lost")).isEmpty());
            assertThat(watched.jobManager().queuedJobs(null)).singleElement()
                    .satisfies(job -> assertThat(job.restartedFrom()).isEqualTo("lost"));
            assertThat(sidekiq.redis().llen("queue:default")).isEqualTo(1);
        }
    }

    /** Stands for a supervisor process that dies where the hook throws it: nothing after that point runs. */
    private static final class SupervisorDied extends Error {
        SupervisorDied(LostJobs.RestartStep step) {
            super("died after " + step);
        }
    }

    /** A second supervisor on the same store and Redis, as one beside it behind a load balancer. */
    private Supervisor another() {
        return supervisor(3);
    }

    private void dieAt(LostJobs.RestartStep where) {
        jobs.onRestartStep((step, jobId) -> {
            if (step == where) {
                throw new SupervisorDied(step);
            }
        });
    }

    @Test
    void a_supervisor_that_dies_after_the_claim_leaves_a_claim_that_is_released_then_the_job_restarted_once() {
        started("lost", LONG_AGO);
        looks();
        dieAt(LostJobs.RestartStep.CLAIMED);
        assertThatThrownBy(() -> jobs.restartUncompletedJobs(null)).isInstanceOf(SupervisorDied.class);
        String claim = jobs.queries().job("lost").orElseThrow().job().restartingTo();
        assertThat(claim).as("claimed, nothing pushed").isNotNull();
        assertThat(sidekiq.redis().llen("queue:default")).isZero();

        try (Supervisor survivor = another()) {
            // A young claim may be a restart under way: it is left alone.
            assertThat(survivor.jobManager().restartUncompletedJobs(null).skipped())
                    .extracting(s -> s.jobId() + ":" + s.reason()).containsExactly("lost:restart_in_progress");
            assertThat(survivor.jobManager().lookAtSidekiq().claimsSettled()).isZero();

            clock.advance(LostJobs.CLAIM_TIMEOUT.plusSeconds(1));
            assertThat(survivor.jobManager().lookAtSidekiq().claimsSettled()).as("released: nothing was pushed").isEqualTo(1);
            RestartResult result = survivor.jobManager().restartUncompletedJobs(null);
            assertThat(result.restarted()).extracting(RestartResult.Restarted::jobId).containsExactly("lost");
            assertThat(result.restarted().get(0).newJobId()).isNotEqualTo(claim);
            assertThat(sidekiq.redis().llen("queue:default")).as("pushed once, by the survivor").isEqualTo(1);
            assertThat(survivor.jobManager().queries().job("lost")).isEmpty();
            assertThat(survivor.jobManager().queries().job(claim)).as("the dead supervisor's jid never ran").isEmpty();
        }
    }

    @Test
    void a_supervisor_that_dies_after_the_push_leaves_a_claim_that_is_completed_without_a_second_push() {
        started("lost", LONG_AGO);
        looks();
        dieAt(LostJobs.RestartStep.PUSHED);
        assertThatThrownBy(() -> jobs.restartUncompletedJobs(null)).isInstanceOf(SupervisorDied.class);
        String replacement = jobs.queries().job("lost").orElseThrow().job().restartingTo();
        assertThat(sidekiq.redis().lrange("queue:default", 0, -1)).singleElement()
                .satisfies(entry -> assertThat(SidekiqPayloads.jidsIn(entry)).containsExactly(replacement));

        try (Supervisor survivor = another()) {
            clock.advance(LostJobs.CLAIM_TIMEOUT.plusSeconds(1));
            assertThat(survivor.jobManager().lookAtSidekiq().claimsSettled()).isEqualTo(1);
            assertThat(survivor.jobManager().queries().job("lost")).as("the original is replaced").isEmpty();
            Job recorded = survivor.jobManager().queries().job(replacement).orElseThrow().job();
            assertThat(recorded.status()).isEqualTo(JobStatus.QUEUED);
            assertThat(recorded.restartedFrom()).isEqualTo("lost");
            assertThat(recorded.restarts()).isEqualTo(1);
            assertThat(survivor.jobManager().restartUncompletedJobs(null).restarted()).isEmpty();
            assertThat(sidekiq.redis().llen("queue:default")).as("never pushed twice").isEqualTo(1);
            assertThat(survivor.jobManager().lookAtSidekiq().claimsSettled()).as("settled once").isZero();
        }
    }

    @Test
    void a_replacement_that_already_ran_and_reported_settles_a_claim_left_behind() {
        started("lost", LONG_AGO);
        looks();
        dieAt(LostJobs.RestartStep.PUSHED);
        assertThatThrownBy(() -> jobs.restartUncompletedJobs(null)).isInstanceOf(SupervisorDied.class);
        String replacement = jobs.queries().job("lost").orElseThrow().job().restartingTo();
        // Sidekiq ran the replacement meanwhile: off its queue, and reported complete.
        sidekiq.redis().del("queue:default");
        jobs.recordAll(List.of(JobEvent.of(replacement, JobStatus.STARTED, NOW), JobEvent.of(replacement, JobStatus.COMPLETE, NOW)));

        try (Supervisor survivor = another()) {
            clock.advance(LostJobs.CLAIM_TIMEOUT.plusSeconds(1));
            assertThat(survivor.jobManager().lookAtSidekiq().claimsSettled()).isEqualTo(1);
            assertThat(survivor.jobManager().queries().job("lost")).isEmpty();
            Job recorded = survivor.jobManager().queries().job(replacement).orElseThrow().job();
            assertThat(recorded.status()).isEqualTo(JobStatus.COMPLETE);
            assertThat(recorded.restartedFrom()).isEqualTo("lost");
            assertThat(sidekiq.redis().llen("queue:default")).isZero();
        }
    }

    @Test
    void a_job_found_in_sidekiq_after_the_claim_is_released_and_not_pushed() {
        started("lost", LONG_AGO);
        looks();
        // Between the look that found it missing and the push, Sidekiq requeues it (a process coming back).
        jobs.onRestartStep((step, jobId) -> {
            if (step == LostJobs.RestartStep.CLAIMED) {
                sidekiq.enqueued(jobId, "default");
            }
        });
        RestartResult result = jobs.restartUncompletedJobs(null);
        assertThat(result.restarted()).isEmpty();
        assertThat(result.skipped()).extracting(s -> s.jobId() + ":" + s.reason()).containsExactly("lost:queued_in_sidekiq");
        assertThat(sidekiq.redis().llen("queue:default")).as("only Sidekiq's own copy").isEqualTo(1);
        assertThat(jobs.queries().job("lost").orElseThrow().job().restartingTo()).as("claim released").isNull();
    }
}
