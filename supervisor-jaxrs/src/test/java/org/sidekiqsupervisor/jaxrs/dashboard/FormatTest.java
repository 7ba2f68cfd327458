package org.sidekiqsupervisor.jaxrs.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class FormatTest {
    @Test
    void durations_read_in_human_units() {
        assertThat(Format.millis(0.25)).isEqualTo("0.25 ms");
        assertThat(Format.millis(850)).isEqualTo("850 ms");
        assertThat(Format.millis(1234)).isEqualTo("1.23 s");
        assertThat(Format.millis(42_000)).isEqualTo("42.0 s");
        assertThat(Format.millis(60_000)).isEqualTo("1 min");
        assertThat(Format.millis(184_000)).isEqualTo("3 min 4 s");
        assertThat(Format.millis(7_500_000)).isEqualTo("2 h 5 min");
        assertThat(Format.millis(7_200_000)).isEqualTo("2 h");
        assertThat(Format.millis(3 * 86_400_000.0 + 4 * 3_600_000)).isEqualTo("3 d 4 h");
        assertThat(Format.millis(-1500)).isEqualTo("-1.50 s");
    }

    @Test
    void query_strings_encode_every_value_and_skip_empty_ones() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("filter", "a&b=c d/é\"<");
        parameters.put("queue", "");
        parameters.put("status", null);
        parameters.put("job_class", "A::B");
        assertThat(Format.query(parameters)).isEqualTo("?filter=a%26b%3Dc%20d%2F%C3%A9%22%3C&job_class=A%3A%3AB");
        assertThat(Format.query(Map.of())).isEmpty();
    }

    @Test
    void arguments_are_indented_and_non_json_is_shown_as_it_is() {
        assertThat(Format.prettyJson("[1,{\"a\":2}]")).isEqualTo("[ 1, {\n  \"a\" : 2\n} ]");
        assertThat(Format.prettyJson("not json")).isEqualTo("not json");
        assertThat(Format.cut("abcdef", 3)).isEqualTo("abc…");
    }
}
