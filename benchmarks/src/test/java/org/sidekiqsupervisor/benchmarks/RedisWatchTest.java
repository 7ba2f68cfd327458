package org.sidekiqsupervisor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** How the backlog benchmark reads Redis's counters and tells the supervisor's share from its own. */
class RedisWatchTest {
    @Test
    void info_gives_each_commands_calls_and_the_bytes_redis_sent() {
        RedisWatch.Usage usage = RedisWatch.parse("""
                # Stats\r
                total_connections_received:7\r
                total_net_input_bytes:1234\r
                total_net_output_bytes:56789\r
                \r
                # Commandstats\r
                cmdstat_lrange:calls=1030,usec=51000,usec_per_call=49.51,rejected_calls=0,failed_calls=0\r
                cmdstat_client|list:calls=3,usec=90,usec_per_call=30.00,rejected_calls=0,failed_calls=0\r
                """);
        assertThat(usage.bytesSent()).isEqualTo(56789);
        assertThat(usage.calls()).containsExactlyInAnyOrderEntriesOf(Map.of("lrange", 1030L, "client|list", 3L));
        assertThat(usage.commands()).isEqualTo(1033);
    }

    @Test
    void the_supervisors_use_is_everything_redis_did_less_what_the_benchmark_asked() {
        RedisWatch.Reading before = new RedisWatch.Reading(new RedisWatch.Usage(Map.of("lrange", 10L, "info", 5L), 1_000),
                new RedisWatch.Usage(Map.of("info", 5L), 400), 0);
        RedisWatch.Reading after = new RedisWatch.Reading(new RedisWatch.Usage(Map.of("lrange", 40L, "info", 6L, "hset", 3L), 9_000),
                new RedisWatch.Usage(Map.of("info", 6L, "hset", 3L), 1_400), 30_000_000_000L);
        RedisWatch.Usage supervisor = after.supervisorSince(before);
        assertThat(supervisor.calls()).containsExactlyEntriesOf(Map.of("lrange", 30L));
        assertThat(supervisor.bytesSent()).isEqualTo(7_000);
        assertThat(after.secondsSince(before)).isEqualTo(30.0);
    }

    @Test
    void a_client_is_the_supervisors_by_its_name_or_else_by_not_being_one_of_the_benchmarks_connections() {
        Set<String> own = Set.of("127.0.0.1:40100");
        assertThat(RedisWatch.supervisors("sidekiq-supervisor", "127.0.0.1:40112", own)).isTrue();
        assertThat(RedisWatch.supervisors("", "127.0.0.1:40112", own)).isTrue();
        assertThat(RedisWatch.supervisors("", "127.0.0.1:40100", own)).isFalse();
        assertThat(RedisWatch.supervisors("backlog-benchmark", "127.0.0.1:40999", own)).isFalse();
    }

    @Test
    void client_list_gives_each_connections_address_and_name() {
        assertThat(RedisWatch.parseClientList("""
                id=3 addr=127.0.0.1:40100 laddr=127.0.0.1:6379 fd=8 name=backlog-benchmark age=9 idle=0 flags=N db=0 cmd=client|list
                id=5 addr=127.0.0.1:40112 laddr=127.0.0.1:6379 fd=10 name= age=4 idle=4 flags=N db=0 cmd=lrange
                """)).containsExactly(new RedisWatch.Client("127.0.0.1:40100", "backlog-benchmark"),
                new RedisWatch.Client("127.0.0.1:40112", ""));
    }
}
