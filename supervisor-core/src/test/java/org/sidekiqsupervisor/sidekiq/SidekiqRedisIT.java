package org.sidekiqsupervisor.sidekiq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/** Reading and writing Sidekiq's Redis, against a real redis-server of its own. */
@RequiresService(Service.REDIS_SERVER)
class SidekiqRedisIT {
    private static final Instant NOW = Instant.parse("2026-11-28T17:38:00Z");
    private RedisServer server;
    private SidekiqRedis redis;

    @BeforeEach
    void start() {
        server = RedisServer.start();
        redis = new SidekiqRedis(server.url(), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        redis.close();
        server.close();
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @ValueSource(ints = {6, 7, 8})
    void every_job_is_located_where_sidekiq_keeps_it(int version) {
        try (FakeSidekiq sidekiq = new FakeSidekiq(server, version)) {
            sidekiq.liveProcess("host:1:aaa", Map.of("t1", "running1"));
            sidekiq.deadProcess("host:2:bbb", "killed1");
            sidekiq.enqueued("waiting1", "default");
            sidekiq.enqueued("waiting2", "critical");
            sidekiq.inSet("retry", "retrying1");
            sidekiq.inSet("schedule", "scheduled1");
            sidekiq.inSet("dead", "dead1");
            // super_fetch's private lists (Sidekiq Pro 4+ and 3.x): running, or waiting for super_fetch's own recovery.
            sidekiq.redis().lpush("queue:sq|host:3:ccc|default", FakeSidekiq.job("fetched1", "default"));
            sidekiq.redis().lpush("queue:sq_host_4_default", FakeSidekiq.job("fetched2", "default"));
            HeldJobs held = redis.look(0);
            assertThat(List.of("running1", "waiting1", "waiting2", "retrying1", "scheduled1", "dead1", "fetched1", "fetched2"))
                    .allSatisfy(jid -> assertThat(held.holds(jid)).as(jid).isTrue());
            assertThat(List.of("killed1", "unknown1")).allSatisfy(jid -> assertThat(held.holds(jid)).as(jid).isFalse());
            assertThat(held.size()).isEqualTo(8);
            assertThat(held.entriesRead()).isEqualTo(7);

            Map<String, String> queueByJid = new java.util.LinkedHashMap<>();
            for (String jid : List.of("running1", "killed1", "waiting1", "waiting2", "retrying1", "scheduled1", "dead1", "unknown1",
                    "fetched1")) {
                queueByJid.put(jid, jid.equals("waiting2") ? "critical" : "default");
            }
            assertThat(redis.recheck(queueByJid)).containsEntry("running1", JobLocation.RUNNING)
                    .containsEntry("killed1", JobLocation.NOWHERE)
                    .containsEntry("waiting1", JobLocation.QUEUED)
                    .containsEntry("waiting2", JobLocation.QUEUED)
                    .containsEntry("retrying1", JobLocation.RETRY)
                    .containsEntry("scheduled1", JobLocation.SCHEDULED)
                    .containsEntry("dead1", JobLocation.DEAD)
                    .containsEntry("unknown1", JobLocation.NOWHERE)
                    .containsEntry("fetched1", JobLocation.RUNNING)
                    .hasSize(9);
        }
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @ValueSource(ints = {6, 7, 8})
    void the_version_is_the_one_live_processes_announce_in_their_heartbeat(int version) {
        try (FakeSidekiq sidekiq = new FakeSidekiq(server, version)) {
            assertThat(redis.announcedVersion()).isEmpty();
            sidekiq.liveProcess("host:1:aaa", Map.of());
            sidekiq.deadProcess("host:2:bbb", "killed1");
            assertThat(redis.announcedVersion()).isEqualTo(switch (version) {
                case 7 -> Optional.of(SidekiqVersion.V7);
                case 8 -> Optional.of(SidekiqVersion.V8);
                default -> Optional.empty();
            });
        }
    }

    @Test
    void during_a_rolling_upgrade_the_lowest_announced_version_is_written_and_dead_or_silent_processes_do_not_count() {
        try (FakeSidekiq old = new FakeSidekiq(server, 7); FakeSidekiq upgraded = new FakeSidekiq(server, 8)) {
            upgraded.liveProcess("new:1:aaa", Map.of());
            old.liveProcess("unknown:1:ccc", Map.of(), "9.0.0");
            assertThat(redis.announcedVersion()).contains(SidekiqVersion.V8);
            old.liveProcess("old:1:bbb", Map.of());
            assertThat(redis.announcedVersion()).contains(SidekiqVersion.V7);
            // The 7.x process stops: its heartbeat key expires, though it stays in the set until Sidekiq prunes it.
            old.redis().del("old:1:bbb");
            assertThat(redis.announcedVersion()).contains(SidekiqVersion.V8);
        }
    }

    @Test
    void the_supervisors_connections_are_named_so_that_an_operator_can_tell_them_apart() {
        redis.ping();
        try (redis.clients.jedis.Jedis look = new redis.clients.jedis.Jedis("127.0.0.1", server.port())) {
            assertThat(look.clientList()).contains("name=" + SidekiqRedis.CLIENT_NAME);
        }
    }

    @Test
    void a_look_reads_queues_and_sets_longer_than_one_chunk_to_the_end_and_counts_what_it_read() {
        try (FakeSidekiq sidekiq = new FakeSidekiq(server, 7)) {
            sidekiq.enqueued("deep", "default");
            sidekiq.inSet("retry", "oldest-retry");
            int fillers = SidekiqLook.CHUNK * 2 + 5;
            for (int i = 0; i < fillers; i++) {
                sidekiq.enqueued("filler" + i, "default");
                sidekiq.inSet("retry", "retry-filler" + i);
            }
            HeldJobs held = redis.look(0);
            assertThat(held.holds("deep")).isTrue();
            assertThat(held.holds("oldest-retry")).isTrue();
            assertThat(held.holds("filler" + (fillers - 1))).isTrue();
            assertThat(held.size()).isEqualTo(2 * fillers + 2);
            assertThat(held.entriesRead()).isEqualTo(2 * fillers + 2);
            assertThat(held.finishedAt()).isAfterOrEqualTo(held.startedAt());
        }
    }

    @Test
    void a_recheck_finds_a_job_at_either_end_of_a_long_queue_without_reading_its_middle() {
        try (FakeSidekiq sidekiq = new FakeSidekiq(server, 7)) {
            sidekiq.enqueued("at-the-tail", "default");
            for (int i = 0; i < SidekiqLook.RECHECK_WINDOW * 3; i++) {
                sidekiq.enqueued("filler" + i, "default");
            }
            sidekiq.enqueued("at-the-head", "default");
            Map<String, String> queues = Map.of("at-the-tail", "default", "at-the-head", "default",
                    "filler" + SidekiqLook.RECHECK_WINDOW * 3 / 2, "default");
            assertThat(redis.recheck(queues)).containsEntry("at-the-tail", JobLocation.QUEUED)
                    .containsEntry("at-the-head", JobLocation.QUEUED)
                    // Deep inside: the looks found it there; a recheck reads only where a job put back would be.
                    .containsEntry("filler" + SidekiqLook.RECHECK_WINDOW * 3 / 2, JobLocation.NOWHERE);
        }
    }

    @Test
    void a_paced_look_keeps_to_its_budget_of_entries_a_second() {
        try (FakeSidekiq sidekiq = new FakeSidekiq(server, 7)) {
            for (int i = 0; i < SidekiqLook.CHUNK * 3; i++) {
                sidekiq.enqueued("filler" + i, "default");
            }
            long started = System.nanoTime();
            HeldJobs held = redis.look(SidekiqLook.CHUNK * 10);
            // 3,000 entries at 10,000 a second: the pacer cannot let it end before 0.3 s (a lower bound, never flaky).
            assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(300_000_000L);
            assertThat(held.size()).isEqualTo(SidekiqLook.CHUNK * 3);
        }
    }

    @Test
    void a_push_adds_the_queue_and_puts_the_job_where_a_worker_takes_it_last() {
        try (FakeSidekiq sidekiq = new FakeSidekiq(server, 7)) {
            sidekiq.enqueued("first", "mail");
            redis.push("mail", FakeSidekiq.job("second", "mail"));
            assertThat(sidekiq.redis().smembers("queues")).contains("mail");
            // LPUSH: workers BRPOP from the other end, so the earlier job runs first.
            assertThat(sidekiq.redis().lrange("queue:mail", 0, -1)).extracting(SidekiqPayloads::jidsIn)
                    .containsExactly(List.of("second"), List.of("first"));
        }
    }

    @Test
    void the_live_state_has_queues_with_latency_processes_and_set_sizes() {
        try (FakeSidekiq sidekiq = new FakeSidekiq(server, 6)) {
            sidekiq.liveProcess("host:1:aaa", Map.of("t1", "r1", "t2", "r2"));
            sidekiq.deadProcess("host:2:bbb", "k1");
            sidekiq.enqueued("w1", "default");
            sidekiq.enqueued("w2", "default");
            sidekiq.inSet("retry", "x1");
            sidekiq.inSet("dead", "d1");
            sidekiq.inSet("dead", "d2");
            sidekiq.redis().set("stat:processed", "42");
            sidekiq.redis().set("stat:failed", "3");
            SidekiqState state = redis.state();
            assertThat(state.processed()).isEqualTo(42);
            assertThat(state.failed()).isEqualTo(3);
            assertThat(state.enqueued()).isEqualTo(2);
            assertThat(state.queues()).singleElement().satisfies(queue -> {
                assertThat(queue.name()).isEqualTo("default");
                assertThat(queue.size()).isEqualTo(2);
                // The fixture jobs were enqueued at 17:37:30.2; it is 17:38:00 now.
                assertThat(queue.latency()).isEqualTo(Duration.ofMillis(29_800));
            });
            assertThat(state.processes()).singleElement().satisfies(process -> {
                assertThat(process.identity()).isEqualTo("host:1:aaa");
                assertThat(process.busy()).isEqualTo(2);
                assertThat(process.rssKb()).isEqualTo(1024);
            });
            assertThat(state.busy()).isEqualTo(2);
            assertThat(state.retrySize()).isEqualTo(1);
            assertThat(state.scheduledSize()).isZero();
            assertThat(state.deadSize()).isEqualTo(2);
        }
    }

    @Test
    void a_password_and_a_database_index_in_the_url_are_honoured() {
        try (RedisServer secured = RedisServer.start("--requirepass", "s3cret");
             SidekiqRedis authed = new SidekiqRedis("redis://:s3cret@127.0.0.1:" + secured.port() + "/3", Clock.systemUTC());
             redis.clients.jedis.Jedis check = new redis.clients.jedis.Jedis("127.0.0.1", secured.port())) {
            authed.push("default", FakeSidekiq.job("j1", "default"));
            check.auth("s3cret");
            check.select(3);
            assertThat(check.llen("queue:default")).isEqualTo(1);
            check.select(0);
            assertThat(check.exists("queue:default")).isFalse();
            assertThat(authed.description()).doesNotContain("s3cret");
        }
        try (RedisServer secured = RedisServer.start("--requirepass", "s3cret");
             SidekiqRedis wrong = new SidekiqRedis("redis://:nope@127.0.0.1:" + secured.port() + "/0", Clock.systemUTC())) {
            assertThatThrownBy(wrong::ping).isInstanceOf(SidekiqUnavailableException.class).hasMessageNotContaining("nope");
        }
    }
}
