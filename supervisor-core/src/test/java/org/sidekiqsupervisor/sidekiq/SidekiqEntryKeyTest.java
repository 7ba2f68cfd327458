package org.sidekiqsupervisor.sidekiq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.InvalidInputException;

/** Sidekiq Web's {@code <score>-<jid>}: read, written as Ruby prints a Float, and told apart from a bare jid. */
class SidekiqEntryKeyTest {

    @Test
    void reads_and_writes_sidekiq_webs_form() {
        SidekiqEntryKey key = SidekiqEntryKey.parse("1795887460.5-6ff39ff4f63d45c927edec6");
        assertThat(key.score()).isEqualTo(1795887460.5);
        assertThat(key.jid()).isEqualTo("6ff39ff4f63d45c927edec6");
        assertThat(key).hasToString("1795887460.5-6ff39ff4f63d45c927edec6");
        assertThat(new SidekiqEntryKey(1795887460.0, "a")).as("a Float always has a fraction").hasToString("1795887460.0-a");
        assertThat(SidekiqEntryKey.parse("1795887460-a-b")).isEqualTo(new SidekiqEntryKey(1795887460.0, "a-b"));
        double precise = 1795887460.123456;
        assertThat(SidekiqEntryKey.parse(new SidekiqEntryKey(precise, "j").toString()).score()).as("round trip").isEqualTo(precise);
        assertThat(SidekiqEntryKey.scoreText(1.7958874605E9)).doesNotContain("E");
    }

    @Test
    void refuses_what_is_not_a_key_and_tells_keys_from_jids() {
        for (String bad : new String[] {"", "abc", "1795887460.5", "1795887460.5-", "x1-abc", "1795887460.5-bad jid",
                "NaN-abc", "1e999-abc", "1795887460.5-" + "j".repeat(65)}) {
            assertThatThrownBy(() -> SidekiqEntryKey.parse(bad)).as(bad).isInstanceOf(InvalidInputException.class)
                    .extracting(e -> ((InvalidInputException) e).field()).isEqualTo("key");
        }
        assertThatThrownBy(() -> SidekiqEntryKey.parse(null)).isInstanceOf(InvalidInputException.class);
        assertThat(SidekiqEntryKey.looksLikeKey("1795887460.5-abc")).isTrue();
        assertThat(SidekiqEntryKey.looksLikeKey("6ff39ff4f63d45c927edec6")).isFalse();
        assertThat(SidekiqEntryKey.looksLikeKey("abc-def")).isFalse();
    }
}
