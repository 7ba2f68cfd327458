package org.sidekiqsupervisor.sidekiq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    /** A job that failed twice, as the server middleware's {@code job} holds it when its third attempt starts. */
    private static final String RETRIED_JOB = "{\"retry\":5,\"queue\":\"mail\",\"tags\":[\"billing\",\"ünï\"],"
            + "\"args\":[12345678901234567890123,\"😀\",1.10],\"class\":\"MailJob\",\"jid\":\"0123456789abcdef01234567\","
            + "\"created_at\":1795887450.1,\"enqueued_at\":1795887460.2,\"error_message\":\"boom\",\"error_class\":\"RuntimeError\","
            + "\"failed_at\":1795887455.3,\"retry_count\":1,\"retried_at\":1795887459.4,\"error_backtrace\":\"eJzLSM3JyQcABiwCFQ==\","
            + "\"custom\":{\"tenant\":42,\"deep\":[null,true]}}";

    @ParameterizedTest(name = "Sidekiq {0}")
    @CsvSource({"V6, 1795887453.568993", "V7, 1795887453.568993", "V8, 1795887453568"})
    void a_restart_pushes_the_jobs_own_hash_with_a_new_jid_and_fresh_times_and_without_the_retry_bookkeeping(
            SidekiqVersion version, String now) {
        Instant at = Instant.parse("2026-11-28T17:37:33.568993Z");
        String pushed = SidekiqPayloads.restartPayload(RETRIED_JOB, "fedcba9876543210fedcba98", "mail", at, version);
        // Every other key keeps its place and its exact text: options, tags, big integers, 1.10, Unicode, custom keys.
        assertThat(pushed).isEqualTo("{\"retry\":5,\"queue\":\"mail\",\"tags\":[\"billing\",\"ünï\"],"
                + "\"args\":[12345678901234567890123,\"😀\",1.10],\"class\":\"MailJob\",\"jid\":\"fedcba9876543210fedcba98\","
                + "\"created_at\":" + now + ",\"enqueued_at\":" + now + ",\"custom\":{\"tenant\":42,\"deep\":[null,true]}}");
    }

    @Test
    void a_restart_keeps_retry_false_and_adds_what_a_hash_lacks_and_a_whole_second_is_still_a_float() {
        Instant at = Instant.parse("2026-11-28T17:37:30Z");
        assertThat(SidekiqPayloads.restartPayload("{\"retry\":false,\"class\":\"A\",\"args\":[]}", "j", "low", at, SidekiqVersion.V7))
                .isEqualTo("{\"retry\":false,\"class\":\"A\",\"args\":[],\"queue\":\"low\",\"jid\":\"j\","
                        + "\"created_at\":1795887450.0,\"enqueued_at\":1795887450.0}");
        assertThat(SidekiqPayloads.restartPayload("{\"queue\":7,\"class\":\"A\"}", "j", "default", at, SidekiqVersion.V8))
                .isEqualTo("{\"queue\":\"default\",\"class\":\"A\",\"jid\":\"j\",\"created_at\":1795887450000,"
                        + "\"enqueued_at\":1795887450000}");
        assertThatThrownBy(() -> SidekiqPayloads.restartPayload("[1]", "j", "q", at, SidekiqVersion.V7))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_queue_is_read_from_a_hash_that_names_one() {
        assertThat(SidekiqPayloads.queue(RETRIED_JOB)).isEqualTo("mail");
        assertThat(SidekiqPayloads.queue("{\"queue\":\"\"}")).isNull();
        assertThat(SidekiqPayloads.queue("{\"queue\":7}")).isNull();
        assertThat(SidekiqPayloads.queue("{}")).isNull();
        assertThat(SidekiqPayloads.queue(null)).isNull();
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @CsvSource(value = {"6, null", "7, V7", "8, V8"}, nullValues = "null")
    void heartbeats_of_7_and_8_announce_their_version_and_6_does_not(String version, SidekiqVersion announced)
            throws IOException {
        assertThat(SidekiqPayloads.announcedVersion(fixture(version, "heartbeat-info.json"))).isEqualTo(announced);
    }

    @Test
    void an_announced_version_this_code_does_not_know_is_none() {
        assertThat(SidekiqPayloads.announcedVersion("{\"version\":\"9.0.0\"}")).isNull();
        assertThat(SidekiqPayloads.announcedVersion("{\"version\":\"\"}")).isNull();
        assertThat(SidekiqPayloads.announcedVersion("{\"version\":8}")).isNull();
        assertThat(SidekiqPayloads.announcedVersion("not json")).isNull();
        assertThat(SidekiqPayloads.announcedVersion(null)).isNull();
        assertThat(SidekiqPayloads.announcedVersion("{\"version\":\"7.0.0.beta1\"}")).isEqualTo(SidekiqVersion.V7);
    }
}
