package org.sidekiqsupervisor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.benchmarks.SoakBenchmark.Verdict;

/** How the soak judges its samples: flat, growing past a margin, or too few to say; and how many it takes. */
class SoakBenchmarkTest {
    @Test
    void flat_means_nothing_grows_past_its_margin() {
        List<SoakBenchmark.Sample> steady = List.of(new SoakBenchmark.Sample(5, 20_000, 90, 60, -1, 1, 0),
                new SoakBenchmark.Sample(10, 21_000, 90, 61, -1, 2, 0), new SoakBenchmark.Sample(15, 22_000, 91, 60, -1, 3, 0));
        assertThat(SoakBenchmark.judge(steady)).isEqualTo(Verdict.FLAT);
        List<SoakBenchmark.Sample> leaking = List.of(new SoakBenchmark.Sample(5, 20_000, 90, 60, -1, 1, 0),
                new SoakBenchmark.Sample(10, 30_000, 95, 70, -1, 2, 0), new SoakBenchmark.Sample(15, 60_000, 120, 90, -1, 3, 0));
        assertThat(SoakBenchmark.judge(leaking)).isEqualTo(Verdict.NOT_FLAT);
    }

    @Test
    void too_few_samples_are_not_enough_to_judge_rather_than_not_flat() {
        SoakBenchmark.Sample first = new SoakBenchmark.Sample(5, 20_000, 90, 60, -1, 1, 0);
        SoakBenchmark.Sample grown = new SoakBenchmark.Sample(10, 60_000, 120, 90, -1, 2, 0);
        assertThat(SoakBenchmark.judge(List.of())).isEqualTo(Verdict.NOT_ENOUGH_SAMPLES);
        assertThat(SoakBenchmark.judge(List.of(first))).isEqualTo(Verdict.NOT_ENOUGH_SAMPLES);
        assertThat(SoakBenchmark.judge(List.of(first, grown))).isEqualTo(Verdict.NOT_ENOUGH_SAMPLES);
        assertThat(new SoakBenchmark.Report(List.of(first), 3, 0, 0, Verdict.NOT_ENOUGH_SAMPLES).flat()).isFalse();
    }

    @Test
    void a_soak_passes_only_when_flat_and_without_failed_requests() {
        assertThat(new SoakBenchmark.Report(List.of(), 3, 0, 0, Verdict.FLAT).flat()).isTrue();
        assertThat(new SoakBenchmark.Report(List.of(), 3, 1, 0, Verdict.FLAT).flat()).isFalse();
        assertThat(new SoakBenchmark.Report(List.of(), 3, 0, 0, Verdict.NOT_FLAT).flat()).isFalse();
    }

    @Test
    void a_soak_plans_one_sample_per_interval_over_its_duration_and_never_fewer_than_three() {
        assertThat(SoakBenchmark.plannedSamples(Duration.ofSeconds(30), Duration.ofSeconds(2))).isEqualTo(15);
        assertThat(SoakBenchmark.plannedSamples(Duration.ofMinutes(5), Duration.ofSeconds(15))).isEqualTo(20);
        // A duration that is not a whole number of intervals still gets a sample at its end.
        assertThat(SoakBenchmark.plannedSamples(Duration.ofSeconds(31), Duration.ofSeconds(2))).isEqualTo(16);
        assertThat(SoakBenchmark.plannedSamples(Duration.ofSeconds(10), Duration.ofSeconds(15))).isEqualTo(SoakBenchmark.MIN_SAMPLES);
    }
}
