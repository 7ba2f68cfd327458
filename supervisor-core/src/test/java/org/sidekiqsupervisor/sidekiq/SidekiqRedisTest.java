package org.sidekiqsupervisor.sidekiq;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;

import org.junit.jupiter.api.Test;

/** The Redis settings and errors that need no redis-server; {@link SidekiqRedisIT} talks to a real one. */
class SidekiqRedisTest {
    @Test
    void an_unreachable_redis_is_a_clear_error_without_its_password() {
        SidekiqRedis nowhere = new SidekiqRedis("redis://:hunter2@127.0.0.1:1/0", Clock.systemUTC());
        assertThatThrownBy(nowhere::ping).isInstanceOf(SidekiqUnavailableException.class)
                .hasMessageContaining("redis://127.0.0.1:1/0").hasMessageNotContaining("hunter2");
        nowhere.close();
    }

    @Test
    void only_redis_urls_are_accepted() {
        assertThatThrownBy(() -> new SidekiqRedis("http://127.0.0.1:6379", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redisUrl");
        assertThatThrownBy(() -> new SidekiqRedis("127.0.0.1:6379", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redisUrl");
    }
}
