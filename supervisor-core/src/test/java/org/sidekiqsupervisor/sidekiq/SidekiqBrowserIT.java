package org.sidekiqsupervisor.sidekiq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.internal.Json;
import org.sidekiqsupervisor.sidekiq.SidekiqActions.SetAction;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;
import redis.clients.jedis.Pipeline;

/** Sidekiq's jobs page by page and the Web UI's actions on them, in each version's layout, against a real redis-server. */
@RequiresService(Service.REDIS_SERVER)
class SidekiqBrowserIT {
    private static final Instant NOW = Instant.parse("2026-11-28T17:38:00.250Z");
    private RedisServer server;
    private SidekiqRedis redis;

    @BeforeEach
    void start() {
        server = RedisServer.start();
        redis = new SidekiqRedis(server.url(), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        redis.close();
        server.close();
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @ValueSource(ints = {6, 7, 8})
    void sets_are_paged_in_the_web_uis_order_with_times_read_in_the_versions_format(int version) {
        try (FakeSidekiq sidekiq = new FakeSidekiq(server, version)) {
            for (int i = 0; i < 5; i++) {
                sidekiq.inSet("retry", 1795887460.0 + i, sidekiq.failedJob("r" + i, "default", i));
                sidekiq.inSet("dead", 1795887460.0 + i, sidekiq.failedJob("d" + i, "default", i));
            }
            SidekiqPage first = redis.browser().page(SidekiqSet.RETRY, null, 2, null);
            assertThat(first.size()).isEqualTo(5);
            assertThat(first.jobs()).extracting(SidekiqJob::jid).containsExactly("r0", "r1");
            SidekiqPage second = redis.browser().page(SidekiqSet.RETRY, null, 2, first.nextCursor());
            assertThat(second.jobs()).extracting(SidekiqJob::jid).containsExactly("r2", "r3");
            SidekiqPage last = redis.browser().page(SidekiqSet.RETRY, null, 2, second.nextCursor());
            assertThat(last.jobs()).extracting(SidekiqJob::jid).containsExactly("r4");
            assertThat(last.nextCursor()).isNull();
            assertThat(redis.browser().page(SidekiqSet.DEAD, null, 2, null).jobs()).extracting(SidekiqJob::jid)
                    .as("the latest death first").containsExactly("d4", "d3");
            SidekiqJob job = first.jobs().get(0);
            assertThat(job.createdAt()).isEqualTo(Instant.parse("2026-11-28T17:37:30.100Z"));
            assertThat(job.failedAt()).isEqualTo(Instant.parse("2026-11-28T17:37:31.300Z"));
            assertThat(job.at()).isEqualTo(Instant.parse("2026-11-28T17:37:40Z"));
            assertThat(job.errorClass()).isEqualTo("RuntimeError");
            assertThat(job.retryCount()).isZero();
            assertThat(job.errorBacktrace()).containsExactly("app.rb:1:in `perform'", "lib.rb:2");
            assertThat(redis.browser().find(SidekiqSet.DEAD, "d3")).get().extracting(SidekiqJob::jid).isEqualTo("d3");
            assertThat(redis.browser().find(SidekiqSet.DEAD, "r3")).isEmpty();
            assertThatThrownBy(() -> redis.browser().page(SidekiqSet.RETRY, null, 2, "nonsense"))
                    .isInstanceOf(InvalidInputException.class);
        }
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @ValueSource(ints = {6, 7, 8})
    void an_entry_is_found_by_score_and_jid_with_bounded_reads_at_that_score_only(int version) {
        try (FakeSidekiq sidekiq = new FakeSidekiq(server, version)) {
            for (int i = 0; i < 5; i++) {
                sidekiq.inSet("retry", 1795887460.5, sidekiq.failedJob("same" + i, "default", i));
            }
            sidekiq.inSet("retry", 1795887461.25, sidekiq.failedJob("other", "default", 0));
            List<Long> readsPerCommand = new ArrayList<>();
            // Two entries a command: finding the fifth of five at one score takes three reads, none past that score.
            SidekiqBrowser browser = new SidekiqBrowser(work -> redis.withRedis(jedis -> {
                Object read = work.apply(jedis);
                readsPerCommand.add((long) ((List<?>) read).size());
                return read;
            }), 2, 10);
            SidekiqJob found = browser.entry(SidekiqSet.RETRY, 1795887460.5, "same4").orElseThrow();
            assertThat(found.retryCount()).isEqualTo(4);
            assertThat(found.score()).isEqualTo(1795887460.5);
            assertThat(readsPerCommand).containsExactly(2L, 2L, 1L);
            assertThat(redis.browser().entry(SidekiqSet.RETRY, 1795887461.25, "other")).isPresent();
            assertThat(redis.browser().entry(SidekiqSet.RETRY, 1795887461.25, "same1")).as("another score").isEmpty();
            assertThat(redis.browser().entry(SidekiqSet.DEAD, 1795887460.5, "same1")).as("another set").isEmpty();
            SidekiqEntryKey key = SidekiqEntryKey.of(found);
            assertThat(redis.browser().entry(SidekiqSet.RETRY, SidekiqEntryKey.parse(key.toString()).score(), "same4")).isPresent();
        }
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @ValueSource(ints = {6, 7, 8})
    void a_filter_reads_a_bounded_number_of_entries_per_page_and_a_cursor_goes_on(int version) {
        try (FakeSidekiq sidekiq = new FakeSidekiq(server, version); Pipeline pipeline = sidekiq.redis().pipelined()) {
            for (int i = 0; i < SidekiqBrowser.SCAN_BOUND + 1500; i++) {
                // Many entries share a score, so that positions are kept within a score too.
                String jid = (i % 1000 == 7 ? "needle" : "hay") + i;
                pipeline.zadd("retry", 1795887460.0 + i / 700, version == 7 ? FakeSidekiq.job(jid, "default")
                        : sidekiq.failedJob(jid, "default", 1));
            }
            pipeline.sync();
            List<String> found = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                SidekiqPage page = redis.browser().page(SidekiqSet.RETRY, "needle", 50, cursor);
                page.jobs().forEach(job -> found.add(job.jid()));
                cursor = page.nextCursor();
                pages++;
            } while (cursor != null);
            assertThat(pages).isEqualTo(2);
            long needles = java.util.stream.IntStream.range(0, SidekiqBrowser.SCAN_BOUND + 1500).filter(i -> i % 1000 == 7).count();
            assertThat(found).hasSize((int) needles).allSatisfy(jid -> assertThat(jid).startsWith("needle")).doesNotHaveDuplicates();
            List<String> all = new ArrayList<>();
            cursor = null;
            do {
                SidekiqPage page = redis.browser().page(SidekiqSet.RETRY, null, 1000, cursor);
                page.jobs().forEach(job -> all.add(job.jid()));
                cursor = page.nextCursor();
            } while (cursor != null);
            assertThat(all).hasSize(SidekiqBrowser.SCAN_BOUND + 1500).doesNotHaveDuplicates();
        }
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @ValueSource(ints = {6, 7, 8})
    void retry_writes_what_sidekiqs_client_writes_and_an_entry_gone_meanwhile_is_skipped(int version) throws Exception {
        try (FakeSidekiq sidekiq = new FakeSidekiq(server, version)) {
            String entry = sidekiq.failedJob("r1", "critical", 2);
            sidekiq.inSet("retry", 1795887460.5, entry);
            sidekiq.inSet("retry", 1795887461.5, sidekiq.failedJob("r2", "critical", 0));
            SidekiqVersion v = SidekiqVersion.parse(String.valueOf(version));
            List<String> missing = new ArrayList<>();
            List<SidekiqJob> selected = redis.actions().select(SidekiqSet.RETRY, List.of("r1", "nope"), null, missing);
            assertThat(missing).containsExactly("nope");
            SidekiqActionResult dry = redis.actions().act(SidekiqSet.RETRY, SetAction.RETRY, selected, v, true);
            assertThat(dry.done()).containsExactly("r1");
            assertThat(sidekiq.redis().zcard("retry")).isEqualTo(2);
            SidekiqActionResult done = redis.actions().act(SidekiqSet.RETRY, SetAction.RETRY, selected, v, false);
            assertThat(done.done()).containsExactly("r1");
            assertThat(sidekiq.redis().zscore("retry", entry)).isNull();
            assertThat(sidekiq.redis().smembers("queues")).contains("critical");
            String pushed = sidekiq.redis().lindex("queue:critical", 0);
            JsonNode job = Json.MAPPER.readTree(pushed);
            assertThat(job.get("retry_count").asInt()).as("Sidekiq's Retry Now takes one off").isEqualTo(1);
            assertThat(job.fieldNames()).toIterable().first().isEqualTo("retry");
            assertThat(job.get("jid").asText()).isEqualTo("r1");
            assertThat(job.get("error_class").asText()).isEqualTo("RuntimeError");
            assertThat(job.get("created_at").toString()).isEqualTo(version == 8 ? "1795887450100" : "1795887450.1");
            assertThat(job.get("enqueued_at").toString()).isEqualTo(version == 8 ? "1795887480250" : "1795887480.25");
            SidekiqActionResult again = redis.actions().act(SidekiqSet.RETRY, SetAction.RETRY, selected, v, false);
            assertThat(again.done()).isEmpty();
            assertThat(again.skipped()).containsExactly(new SidekiqActionResult.Skipped("r1", "gone"));
            assertThat(sidekiq.redis().llen("queue:critical")).as("never pushed twice").isEqualTo(1);
            assertThatThrownBy(() -> redis.actions().act(SidekiqSet.SCHEDULED, SetAction.KILL, selected, v, false))
                    .isInstanceOf(InvalidInputException.class);
        }
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @ValueSource(ints = {6, 7, 8})
    void kill_moves_the_exact_entry_to_dead_scored_now_and_trims_dead(int version) {
        try (FakeSidekiq sidekiq = new FakeSidekiq(server, version)) {
            String entry = sidekiq.failedJob("r1", "default", 2);
            sidekiq.inSet("retry", 1795887460.5, entry);
            sidekiq.inSet("dead", NOW.getEpochSecond() - SidekiqActions.DEAD_TIMEOUT.toSeconds() - 10, sidekiq.failedJob("old", "default", 1));
            SidekiqVersion v = SidekiqVersion.parse(String.valueOf(version));
            List<SidekiqJob> selected = redis.actions().select(SidekiqSet.RETRY, List.of(), "r1", new ArrayList<>());
            assertThat(redis.actions().act(SidekiqSet.RETRY, SetAction.KILL, selected, v, false).done()).containsExactly("r1");
            assertThat(sidekiq.redis().zcard("retry")).isZero();
            assertThat(sidekiq.redis().zscore("dead", entry)).isEqualTo(NOW.toEpochMilli() / 1000.0);
            assertThat(sidekiq.redis().zcard("dead")).as("older than 6 months: trimmed").isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @ValueSource(ints = {6, 7, 8})
    void scheduled_enqueue_and_delete_queue_pages_and_busy_processes(int version) throws Exception {
        try (FakeSidekiq sidekiq = new FakeSidekiq(server, version)) {
            String scheduled = FakeSidekiq.job("s1", "low");
            sidekiq.inSet("schedule", 1795890000.0, scheduled);
            sidekiq.inSet("schedule", 1795890001.0, FakeSidekiq.job("s2", "low"));
            SidekiqVersion v = SidekiqVersion.parse(String.valueOf(version));
            List<SidekiqJob> s1 = redis.actions().select(SidekiqSet.SCHEDULED, List.of("s1"), null, new ArrayList<>());
            assertThat(redis.actions().act(SidekiqSet.SCHEDULED, SetAction.ENQUEUE, s1, v, false).done()).containsExactly("s1");
            List<SidekiqJob> s2 = redis.actions().select(SidekiqSet.SCHEDULED, List.of("s2"), null, new ArrayList<>());
            assertThat(redis.actions().act(SidekiqSet.SCHEDULED, SetAction.DELETE, s2, v, false).done()).containsExactly("s2");
            assertThat(sidekiq.redis().zcard("schedule")).isZero();
            assertThat(Json.MAPPER.readTree(sidekiq.redis().lindex("queue:low", 0)).has("retry_count")).isFalse();
            for (int i = 0; i < 5; i++) {
                sidekiq.enqueued("q" + i, "default");
            }
            SidekiqPage page = redis.browser().queue("default", 2, null);
            assertThat(page.jobs()).extracting(SidekiqJob::jid).as("next to run first").containsExactly("q0", "q1");
            assertThat(redis.browser().queue("default", 2, page.nextCursor()).jobs()).extracting(SidekiqJob::jid).containsExactly("q2", "q3");
            SidekiqActionResult deleted = redis.actions().deleteFromQueue("default", List.of("q1", "zz"), null, false);
            assertThat(deleted.done()).containsExactly("q1");
            assertThat(deleted.skipped()).containsExactly(new SidekiqActionResult.Skipped("zz", "not_found"));
            SidekiqActionResult cleared = redis.actions().clearQueue("default", false);
            assertThat(cleared.count()).isEqualTo(4);
            assertThat(cleared.done()).containsExactly("q0", "q2", "q3", "q4");
            assertThat(sidekiq.redis().exists("queue:default")).isFalse();
            assertThat(sidekiq.redis().sismember("queues", "default")).isFalse();

            sidekiq.liveProcess("host:1:abc", Map.of("tid1", "busy1"));
            List<SidekiqProcess> processes = redis.browser().processes();
            assertThat(processes).singleElement().satisfies(p -> {
                assertThat(p.identity()).isEqualTo("host:1:abc");
                assertThat(p.startedAt()).isEqualTo(Instant.parse("2026-11-28T17:37:20.500Z"));
                assertThat(p.version()).isEqualTo(version == 6 ? null : version == 7 ? "7.3.9" : "8.0.4");
                assertThat(p.jobs()).singleElement().satisfies(r -> {
                    assertThat(r.tid()).isEqualTo("tid1");
                    assertThat(r.jid()).isEqualTo("busy1");
                    assertThat(r.jobClass()).isEqualTo("HardWorker");
                });
            });
            redis.actions().signal("host:1:abc", "TSTP");
            assertThat(sidekiq.redis().lrange("host:1:abc-signals", 0, -1)).containsExactly("TSTP");
            assertThat(sidekiq.redis().ttl("host:1:abc-signals")).isBetween(1L, 60L);
        }
    }
}
