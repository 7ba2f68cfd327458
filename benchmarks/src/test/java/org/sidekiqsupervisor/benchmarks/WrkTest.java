package org.sidekiqsupervisor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

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
                """);
        assertThat(result.p50Ms()).isEqualTo(0.812);
        assertThat(result.p99Ms()).isEqualTo(1500.0);
        assertThat(result.requests()).isEqualTo(1234);
        assertThat(result.errors()).isEqualTo(10);
        assertThat(result.requestsPerSecond()).isEqualTo(123.4);
    }
}
