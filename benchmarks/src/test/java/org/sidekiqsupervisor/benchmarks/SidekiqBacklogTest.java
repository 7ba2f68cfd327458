package org.sidekiqsupervisor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.sidekiq.SidekiqPayloads;

/** The backlog the benchmark writes has Sidekiq 7's shapes, and the supervisor's reader finds its jids. */
class SidekiqBacklogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void a_queued_payload_is_compact_json_with_float_epoch_seconds() throws Exception {
        String payload = SidekiqBacklog.payload(SidekiqBacklog.jid(1, 7), "HardWorker", "default", SidekiqBacklog.arguments(7),
                1_795_887_450_212_133L);
        JsonNode job = JSON.readTree(payload);
        assertThat(job.fieldNames()).toIterable().containsExactly("retry", "queue", "args", "class", "jid", "created_at", "enqueued_at");
        assertThat(job.get("enqueued_at").isFloatingPointNumber()).isTrue();
        assertThat(payload).contains("\"enqueued_at\":1795887450.212133}");
        assertThat(SidekiqPayloads.enqueuedAt(payload)).isEqualTo(Instant.ofEpochSecond(1_795_887_450L, 212_133_000L));
        assertThat(SidekiqPayloads.jidsIn(payload)).containsExactly(SidekiqBacklog.jid(1, 7));
    }

    @Test
    void a_failed_payload_carries_the_error_and_retry_fields() throws Exception {
        JsonNode job = JSON.readTree(SidekiqBacklog.failed(SidekiqBacklog.jid(10, 3), 3, 1_795_887_450_000_000L, 25));
        assertThat(job.get("retry_count").asInt()).isEqualTo(25);
        assertThat(job.get("error_class").asText()).isEqualTo("Net::ReadTimeout");
        assertThat(job.get("failed_at").isFloatingPointNumber()).isTrue();
    }

    @Test
    void a_running_jobs_payload_is_json_text_inside_its_work_entry() throws Exception {
        String payload = SidekiqBacklog.payload(SidekiqBacklog.jid(0, 20_001), "SyncJob", "default", "[1]", 1_795_887_450_000_000L);
        String entry = "{\"queue\":\"default\",\"payload\":" + SidekiqBacklog.quoted(payload) + ",\"run_at\":1795887451}";
        assertThat(JSON.readTree(entry).get("payload").asText()).isEqualTo(payload);
        assertThat(SidekiqPayloads.jidsIn(entry)).containsExactly(SidekiqBacklog.jid(0, 20_001));
    }

    @Test
    void jids_are_24_hex_characters_and_distinct_across_kinds() {
        Set<String> jids = new HashSet<>();
        for (int kind : List.of(0, 1, 10, 11)) {
            for (long n = 0; n < 10_000; n++) {
                String jid = SidekiqBacklog.jid(kind, n);
                assertThat(jid).matches("[0-9a-f]{24}");
                jids.add(jid);
            }
        }
        assertThat(jids).hasSize(40_000);
    }

    @Test
    void the_other_queues_get_a_fiftieth_and_a_hundredth_of_the_default_queue() {
        SidekiqBacklog.Sizes sizes = new SidekiqBacklog.Sizes(1_000_000, 100_000, 10_000);
        assertThat(sizes.queues()).containsExactly(java.util.Map.entry("default", 1_000_000L), java.util.Map.entry("critical", 20_000L),
                java.util.Map.entry("low", 10_000L));
        assertThat(sizes.total()).isEqualTo(1_140_000L);
    }
}
