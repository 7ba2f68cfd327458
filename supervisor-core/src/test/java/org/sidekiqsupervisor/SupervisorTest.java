package org.sidekiqsupervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.StoreException;

class SupervisorTest {
    @TempDir
    Path dir;

    @Test
    void the_h2_file_store_keeps_jobs_across_a_close_and_reopen() {
        String url = "jdbc:h2:file:" + dir.resolve("supervisor");
        Instant at = Instant.parse("2026-11-28T17:00:00.5Z");
        try (Supervisor supervisor = Supervisor.builder().databaseUrl(url).build()) {
            supervisor.jobManager().record(new JobEvent("kept", JobStatus.STARTED, at, "A", "q", "[\"ünï\"]", null, null, null));
        }
        try (Supervisor reopened = Supervisor.builder().databaseUrl(url).build()) {
            var details = reopened.jobManager().queries().job("kept").orElseThrow();
            assertThat(details.job().status()).isEqualTo(JobStatus.STARTED);
            assertThat(details.job().arguments()).isEqualTo("[\"ünï\"]");
            assertThat(details.events()).hasSize(1);
        }
    }

    @Test
    void with_a_retention_old_finished_jobs_are_pruned_on_schedule_and_unfinished_ones_kept() {
        String url = "jdbc:h2:mem:" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        Instant longAgo = Instant.now().minus(java.time.Duration.ofDays(10));
        try (Supervisor writer = Supervisor.builder().databaseUrl(url).build()) {
            writer.jobManager().recordAll(java.util.List.of(JobEvent.of("old-done", JobStatus.COMPLETE, longAgo),
                    JobEvent.of("old-running", JobStatus.STARTED, longAgo), JobEvent.of("new-done", JobStatus.COMPLETE, null)));
            try (Supervisor pruning = Supervisor.builder().databaseUrl(url).retention(java.time.Duration.ofDays(7)).build()) {
                // Retention prunes once at start-up, on its own thread.
                await("the first prune").atMost(Duration.ofSeconds(60))
                        .untilAsserted(() -> assertThat(pruning.jobManager().queries().job("old-done")).isEmpty());
                assertThat(pruning.jobManager().queries().job("old-running")).isPresent();
                assertThat(pruning.jobManager().queries().job("new-done")).isPresent();
            }
        }
        assertThatThrownBy(() -> Supervisor.builder().databaseUrl(url).retention(java.time.Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retention");
    }

    @Test
    void settings_are_checked_when_building_and_name_the_setting() {
        assertThatThrownBy(() -> Supervisor.builder().databaseUrl("jdbc:mysql://x/y").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("databaseUrl");
        assertThatThrownBy(() -> Supervisor.builder().poolSize(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("poolSize");
    }

    @Test
    void the_watchdog_needs_redis() {
        assertThatThrownBy(() -> Supervisor.builder().databaseUrl("jdbc:h2:mem:" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
                .watchdogInterval(Duration.ofSeconds(5)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redisUrl");
    }

    @Test
    void an_unreachable_database_fails_the_build_with_a_store_error() {
        assertThatThrownBy(() -> Supervisor.builder().databaseUrl("jdbc:postgresql://app:hunter2@127.0.0.1:1/none").build())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("could not connect to the store (PostgreSQL //127.0.0.1:1/none)")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void store_descriptions_never_show_credentials() {
        assertThat(StorePool.describe("jdbc:postgresql://user:secret@db:5432/sup?password=secret"))
                .isEqualTo("PostgreSQL //db:5432/sup");
        assertThat(StorePool.describe("jdbc:h2:file:./supervisor-data/supervisor;PASSWORD=x"))
                .isEqualTo("H2 file ./supervisor-data/supervisor");
    }

    @Test
    void h2_file_urls_are_made_to_write_on_commit() {
        assertThat(StorePool.h2Durable("jdbc:h2:file:./x")).isEqualTo("jdbc:h2:file:./x;WRITE_DELAY=0");
        assertThat(StorePool.h2Durable("jdbc:h2:file:./x;write_delay=100")).isEqualTo("jdbc:h2:file:./x;write_delay=100");
        assertThat(StorePool.h2Durable("jdbc:h2:mem:x")).isEqualTo("jdbc:h2:mem:x");
    }

    @Test
    void embedded_h2_is_closed_by_the_supervisor_not_by_h2_at_jvm_exit() {
        assertThat(StorePool.h2ClosedByThePool("jdbc:h2:file:./x;WRITE_DELAY=0"))
                .isEqualTo("jdbc:h2:file:./x;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(StorePool.h2ClosedByThePool("jdbc:h2:mem:x")).isEqualTo("jdbc:h2:mem:x;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(StorePool.h2ClosedByThePool("jdbc:h2:file:./x;db_close_on_exit=true")).isEqualTo("jdbc:h2:file:./x;db_close_on_exit=true");
        assertThat(StorePool.h2ClosedByThePool("jdbc:h2:file:./x;AUTO_SERVER=TRUE")).isEqualTo("jdbc:h2:file:./x;AUTO_SERVER=TRUE");
        assertThat(StorePool.h2ClosedByThePool("jdbc:h2:tcp://db/x")).isEqualTo("jdbc:h2:tcp://db/x");
        assertThat(StorePool.h2ClosedByThePool("jdbc:postgresql://db/x")).isEqualTo("jdbc:postgresql://db/x");
    }

    @Test
    void the_version_comes_from_the_build() {
        assertThat(Supervisor.version()).matches("\\d+\\.\\d+\\.\\d+.*");
    }
}
