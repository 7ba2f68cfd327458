package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which runs of a needle PostgreSQL's trigram index can be asked for: no database needed to tell. */
class TrigramRunsTest {
    @Test
    void the_runs_the_index_can_be_asked_for_are_three_ascii_letters_or_digits() {
        assertThat(JobConditions.trigramRuns("user4242@")).containsExactly("use", "ser", "er4", "r42", "424", "242");
        assertThat(JobConditions.trigramRuns("a_%b")).isEmpty();
        assertThat(JobConditions.trigramRuns("Ünïcode12")).containsExactly("cod", "ode", "de1", "e12");
        assertThat(JobConditions.trigramRuns("abababab")).containsExactly("aba", "bab");
        String longNeedle = "abcdefghijklmnopqrstuvwxyz0123456789";
        assertThat(JobConditions.trigramRuns(longNeedle)).hasSize(JobConditions.MAX_RUNS).startsWith("abc")
                .doesNotHaveDuplicates();
    }
}
