package org.sidekiqsupervisor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

/** Reading wrk's report. */
class WrkTest {
    @Test
    void wrk_reports_are_read_with_their_units() {
        Wrk.Result result = Wrk.parse("""
                  Latency Distribution
                     50%  812.00us
                     75%    1.20ms
                     90%    2.00ms
                     99%    1.50s
                  1234 requests in 10.00s, 1.00MB read
                  Socket errors: connect 1, read 2, write 0, timeout 3
                  Non-2xx or 3xx responses: 4
                Requests/sec:    123.40
                ticks-start 2633387
                tick 26335 86
                tick 26333 5
                tick 26334 58
                """);
        assertThat(result.p50Ms()).isEqualTo(0.812);
        assertThat(result.p99Ms()).isEqualTo(1500.0);
        assertThat(result.requests()).isEqualTo(1234);
        assertThat(result.errors()).isEqualTo(10);
        assertThat(result.requestsPerSecond()).isEqualTo(123.4);
        assertThat(result.ticks().startMs()).isEqualTo(2633387);
        assertThat(result.ticks().counts()).containsExactly(entry(26333L, 5L), entry(26334L, 58L), entry(26335L, 86L));
    }

    @Test
    void a_report_without_counts_has_no_ticks() {
        Wrk.Result result = Wrk.parse("""
                     50%  812.00us
                     99%    1.50ms
                  1234 requests in 10.00s, 1.00MB read
                Requests/sec:    123.40
                """);
        assertThat(result.ticks()).isEqualTo(Wrk.Ticks.NONE);
    }
}
