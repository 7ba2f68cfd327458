package org.sidekiqsupervisor.sidekiq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sidekiqsupervisor.sidekiq.SidekiqPlace.Kind;
import org.sidekiqsupervisor.sidekiq.SidekiqPlace.Unfinished;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;
import redis.clients.jedis.Pipeline;

/** Where a job is in Sidekiq now, found in bounded steps, in each version's layout, against a real redis-server. */
@RequiresService(Service.REDIS_SERVER)
class SidekiqPlacesIT {
    private RedisServer server;
    private SidekiqRedis redis;
    private FakeSidekiq sidekiq;

    @BeforeEach
    void start() {
        server = RedisServer.start();
        redis = new SidekiqRedis(server.url(), Clock.fixed(Instant.parse("2026-11-28T17:38:00Z"), ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        if (sidekiq != null) {
            sidekiq.close();
        }
        redis.close();
        server.close();
    }

    /** Small chunks and budgets, so that a few thousand entries are past them. */
    private SidekiqPlaces small() {
        return new SidekiqPlaces(redis::withRedis, redis.browser(), 100, 10, 1000, 500);
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @ValueSource(ints = {6, 7, 8})
    void finds_a_job_in_each_place_sidekiq_holds_it(int version) {
        sidekiq = new FakeSidekiq(server, version);
        sidekiq.liveProcess("host:1:abc", Map.of("tid7", "busy1"));
        for (int i = 0; i < 7; i++) {
            sidekiq.enqueued("q" + i, "default");
        }
        sidekiq.inSet("retry", 1795887460.5, sidekiq.failedJob("r1", "critical", 2));
        sidekiq.inSet("schedule", 1795890000.0, FakeSidekiq.job("s1", "low"));
        sidekiq.inSet("dead", 1795887462.5, sidekiq.failedJob("d1", "default", 3));

        SidekiqPlace running = redis.browser().whereIs("busy1", "default");
        assertThat(running.kind()).isEqualTo(Kind.RUNNING);
        assertThat(running.process()).isEqualTo("host:1:abc");
        assertThat(running.tid()).isEqualTo("tid7");
        assertThat(running.at()).isEqualTo(Instant.parse("2026-11-28T17:37:31Z"));

        // Pushed at the head, taken from the tail: q0 runs next, q6 last.
        SidekiqPlace queued = redis.browser().whereIs("q4", "default");
        assertThat(queued.kind()).isEqualTo(Kind.QUEUED);
        assertThat(queued.position()).isEqualTo(5);
        assertThat(queued.queueSize()).isEqualTo(7);
        assertThat(redis.browser().whereIs("q0", "default").position()).isEqualTo(1);

        SidekiqPlace retry = redis.browser().whereIs("r1", "critical");
        assertThat(retry.kind()).isEqualTo(Kind.RETRY);
        assertThat(retry.at()).isEqualTo(Instant.parse("2026-11-28T17:37:40.500Z"));
        assertThat(redis.browser().whereIs("s1", "low").kind()).isEqualTo(Kind.SCHEDULED);
        SidekiqPlace dead = redis.browser().whereIs("d1", "default");
        assertThat(dead.kind()).isEqualTo(Kind.DEAD);
        assertThat(dead.at()).isEqualTo(Instant.parse("2026-11-28T17:37:42.500Z"));

        SidekiqPlace nowhere = redis.browser().whereIs("gone1", "default");
        assertThat(nowhere.kind()).isEqualTo(Kind.NOWHERE);
        assertThat(nowhere.complete()).as("every place was read to its end").isTrue();
        assertThat(nowhere.queueSize()).isEqualTo(7);
    }

    @Test
    void a_jid_named_in_another_jobs_arguments_is_not_taken_for_it() {
        sidekiq = new FakeSidekiq(server, 7);
        sidekiq.enqueued("real", "default");
        sidekiq.redis().lpush("queue:default", "{\"class\":\"Cleanup\",\"args\":[{\"jid\":\"real\"}],\"jid\":\"other\"}");
        sidekiq.redis().lpush("queue:default", "{\"class\":\"Cleanup\",\"args\":[{\"jid\":\"late\"}],\"jid\":\"other2\"}");
        sidekiq.redis().zadd("retry", 1795887460.0, "{\"class\":\"Cleanup\",\"args\":[{\"jid\":\"late\"}],\"jid\":\"r9\"}");
        assertThat(redis.browser().whereIs("real", "default").position()).isEqualTo(1);
        assertThat(redis.browser().whereIs("late", "default").kind()).isEqualTo(Kind.NOWHERE);
    }

    @Test
    void a_job_past_the_budget_is_reported_not_within_it_and_one_inside_is_found() {
        sidekiq = new FakeSidekiq(server, 7);
        try (Pipeline pipeline = sidekiq.redis().pipelined()) {
            // RPUSH in order: place 1 (next to run) is the last pushed, so job i waits at place 1500 - i.
            for (int i = 0; i < 1500; i++) {
                pipeline.rpush("queue:big", FakeSidekiq.job("j" + i, "big"));
            }
            for (int i = 0; i < 3000; i++) {
                pipeline.zadd("dead", 1795887460.0 + i, FakeSidekiq.job("dead" + i, "big"));
            }
            pipeline.sync();
        }
        SidekiqPlace inside = small().whereIs("j600", "big");
        assertThat(inside.kind()).isEqualTo(Kind.QUEUED);
        assertThat(inside.position()).isEqualTo(900);

        SidekiqPlace beyond = small().whereIs("j300", "big");
        assertThat(beyond.kind()).isEqualTo(Kind.NOWHERE);
        assertThat(beyond.complete()).isFalse();
        assertThat(beyond.unfinished()).first().isEqualTo(new Unfinished("queue:big", 1000, 1500));
        Unfinished dead = beyond.unfinished().get(1);
        assertThat(dead.key()).isEqualTo("dead");
        assertThat(dead.size()).isEqualTo(3000);
        assertThat(dead.searched()).isEqualTo(500);
        assertThat(beyond.unfinished()).as("the small retry and schedule sets were read to their end").hasSize(2);

        assertThat(small().whereIs("j300", null).queue()).as("no queue known, none searched").isNull();
        assertThat(small().whereIs("j300", null).complete()).isFalse();
    }

    @Test
    void glob_characters_in_a_jid_are_taken_literally() {
        assertThat(SidekiqPlaces.glob("\"a*b?[c]\\\"")).isEqualTo("\"a\\*b\\?\\[c\\]\\\\\"");
    }
}
