package org.sidekiqsupervisor.sidekiq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Reading and writing Sidekiq's JSON, against golden fixtures of each major version. */
class SidekiqPayloadsTest {
    private static String fixture(String version, String name) throws IOException {
        try (InputStream in = SidekiqPayloadsTest.class.getResourceAsStream("/sidekiq/" + version + "/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @CsvSource({"6, 18df109842d54f28f9bf9e14, 26212b763d5436deeeb6fba6, 1795887450.2085297",
            "7, f8417670fbee11278ae450f4, f8417670fbee11278ae450f4, 1795887450.2121332",
            "8, 0123456789abcdef01234567, 0123456789abcdef01234567, 1795887450.212"})
    void the_jid_and_enqueue_time_are_read_from_queue_entries_and_running_work(String version, String queuedJid, String runningJid,
                                                                             String enqueuedAt) throws IOException {
        assertThat(SidekiqPayloads.jidsIn(fixture(version, "queue-entry.json"))).containsExactly(queuedJid);
        // Running work embeds the job as a JSON string: its quotes arrive escaped.
        assertThat(SidekiqPayloads.jidsIn(fixture(version, "work-entry.json"))).containsExactly(runningJid);
        Instant expected = SidekiqVersion.readTimestamp(Double.parseDouble(enqueuedAt));
        assertThat(SidekiqPayloads.enqueuedAt(fixture(version, "queue-entry.json"))).isEqualTo(expected);
        assertThat(expected.getEpochSecond()).isEqualTo(1795887450L);
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @CsvSource({"6, vm, 19367, 5, ''", "7, worker-2, 7001, 10, app", "8, worker-3, 9100, 3, ''"})
    void heartbeats_are_read_into_processes(String version, String host, long pid, int concurrency, String tag) throws IOException {
        SidekiqState.Process process = SidekiqPayloads.process("id", fixture(version, "heartbeat-info.json"), "2",
                "1795887455.123", "false", "123456");
        assertThat(process.hostname()).isEqualTo(host);
        assertThat(process.pid()).isEqualTo(pid);
        assertThat(process.concurrency()).isEqualTo(concurrency);
        assertThat(process.tag()).isEqualTo(tag);
        assertThat(process.busy()).isEqualTo(2);
        assertThat(process.rssKb()).isEqualTo(123456);
        assertThat(process.queues()).isNotEmpty();
        assertThat(process.identity()).startsWith(host + ":" + pid + ":");
        assertThat(process.startedAt().getEpochSecond()).isBetween(1795887440L, 1795894769L);
        assertThat(process.lastBeat()).isEqualTo(Instant.parse("2026-11-28T17:37:35.123Z"));
    }

    @Test
    void a_process_hash_without_info_is_no_process() {
        assertThat(SidekiqPayloads.process("gone", null, null, null, null, null)).isNull();
        assertThat(SidekiqPayloads.process("junk", "not json", "1", null, null, null)).isNull();
    }

    @Test
    void the_payload_is_written_as_sidekiq_6_and_7_write_it_float_seconds() {
        Instant at = Instant.parse("2026-11-28T17:37:33.568993Z");
        String payload = SidekiqPayloads.payload("SleepyJob", "[1,\"ünï\",12345678901234567890]", "3f5d329109531317a18cb515",
                "default", at, SidekiqVersion.V6);
        assertThat(payload).isEqualTo("{\"retry\":true,\"queue\":\"default\",\"args\":[1,\"ünï\",12345678901234567890],"
                + "\"class\":\"SleepyJob\",\"jid\":\"3f5d329109531317a18cb515\",\"created_at\":1795887453.568993,"
                + "\"enqueued_at\":1795887453.568993}");
        assertThat(SidekiqPayloads.payload("A", "[]", "j", "q", at, SidekiqVersion.V7)).contains("\"enqueued_at\":1795887453.568993}");
    }

    @Test
    void the_payload_is_written_as_sidekiq_8_writes_it_integer_milliseconds() {
        Instant at = Instant.parse("2026-11-28T17:37:33.568993Z");
        assertThat(SidekiqPayloads.payload("A", "[]", "j", "q", at, SidekiqVersion.V8))
                .endsWith("\"created_at\":1795887453568,\"enqueued_at\":1795887453568}");
    }

    @Test
    void versions_parse_from_their_major_number() {
        assertThat(SidekiqVersion.parse("6")).isEqualTo(SidekiqVersion.V6);
        assertThat(SidekiqVersion.parse(" 8 ")).isEqualTo(SidekiqVersion.V8);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SidekiqVersion.parse("5"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sidekiqVersion");
    }
}
