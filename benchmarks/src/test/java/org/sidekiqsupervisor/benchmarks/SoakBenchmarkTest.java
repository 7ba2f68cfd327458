package org.sidekiqsupervisor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** How the soak judges its samples: flat, or growing past a margin. */
class SoakBenchmarkTest {
    @Test
    void flat_means_nothing_grows_past_its_margin() {
        List<SoakBenchmark.Sample> steady = List.of(new SoakBenchmark.Sample(5, 20_000, 90, 60, -1, 1, 0),
                new SoakBenchmark.Sample(10, 21_000, 90, 61, -1, 2, 0), new SoakBenchmark.Sample(15, 22_000, 91, 60, -1, 3, 0));
        assertThat(SoakBenchmark.flat(steady)).isTrue();
        List<SoakBenchmark.Sample> leaking = List.of(new SoakBenchmark.Sample(5, 20_000, 90, 60, -1, 1, 0),
                new SoakBenchmark.Sample(10, 30_000, 95, 70, -1, 2, 0), new SoakBenchmark.Sample(15, 60_000, 120, 90, -1, 3, 0));
        assertThat(SoakBenchmark.flat(leaking)).isFalse();
    }
}
