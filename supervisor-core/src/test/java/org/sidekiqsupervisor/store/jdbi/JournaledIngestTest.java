package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.store.IngestJournal;
import org.sidekiqsupervisor.store.StoreSchema;

/** Which stores have an ingest journal, and what a stop leaves of it. */
class JournaledIngestTest {
    private static final Instant T0 = Instant.parse("2026-12-03T08:00:00Z");

    @TempDir
    Path dir;

    private JdbiJobStore open(String url, IngestJournal journal) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url);
        return JdbiJobStore.open(pool, StoreSchema.DEFAULT, pool, journal);
    }

    @Test
    void a_stop_applies_what_the_journal_holds_and_leaves_it_empty() throws IOException {
        String url = "jdbc:h2:file:" + dir.resolve("store") + ";WRITE_DELAY=0";
        List<RecordResult> answers = new ArrayList<>();
        try (JdbiJobStore store = open(url, IngestJournal.NO_FSYNC)) {
            assertThat(store.journal()).isNotNull();
            for (int i = 0; i < 300; i++) {
                answers.addAll(store.record(List.of(new JobEvent("s" + i, JobStatus.QUEUED, T0.plusMillis(i), "StopJob", "default",
                        "[" + i + "]", null, null, null)), T0));
            }
        }
        assertThat(answers).extracting(RecordResult::outcome).containsOnly(RecordResult.Outcome.CREATED);
        assertThat(segments(Path.of(dir.resolve("store") + ".supervisor_journal"))).isEmpty();
        // Opened without the journal, the store has every event: the stop applied them, nothing was left to replay.
        try (JdbiJobStore store = open(url, IngestJournal.OFF)) {
            assertThat(store.journal()).isNull();
            assertThat(store.countByStatus()).containsEntry(JobStatus.QUEUED, 300L);
        }
    }

    @Test
    void a_delete_leaves_nothing_in_the_journal_that_a_start_could_apply_again() throws Exception {
        Path journal = Path.of(dir.resolve("deleting") + ".supervisor_journal");
        // The applier stops after applying, before it gives back the journal on its own: the event stays in the journal.
        java.util.concurrent.CountDownLatch applierMayGoOn = pauseAt(JournalFaults.Step.APPLIED, null);
        JdbiJobStore store = open("jdbc:h2:file:" + dir.resolve("deleting") + ";WRITE_DELAY=0", IngestJournal.EVERY_SECOND);
        try {
            RecordResult gone = store.record(List.of(new JobEvent("gone", JobStatus.QUEUED, T0, "GoneJob", "default", "[1]",
                    null, null, null)), T0).get(0);
            assertThat(store.details("gone")).isPresent();
            assertThat(segments(journal)).as("the applied event, still in the journal").isNotEmpty();
            assertThat(store.delete(List.of(gone.job()))).containsExactly("gone");
            // Had the journal kept the job's event, a crash now would bring the deleted job back on the next start.
            assertThat(segments(journal)).isEmpty();
            assertThat(store.details("gone")).isEmpty();
        } finally {
            applierMayGoOn.countDown();
            JournalFaults.hook = null;
            store.close();
        }
    }

    @Test
    void the_jobs_held_for_the_folds_stay_within_their_bound_when_every_group_brings_hundreds_of_new_jobs() {
        try (JdbiJobStore store = open("jdbc:h2:file:" + dir.resolve("held") + ";WRITE_DELAY=0", IngestJournal.NO_FSYNC)) {
            // 30 groups of 1,000 new jobs each, as a bulk load sends them: 30,000 jobs, 10,000 beyond the bound. Trimmed
            // 256 a group, as before its bound, the held jobs would grow by at least 744 a group beyond it.
            for (int g = 0; g < 30; g++) {
                List<JobEvent> group = new ArrayList<>();
                for (int j = 0; j < 1_000; j++) {
                    group.add(new JobEvent("h" + g + "-" + j, JobStatus.QUEUED, T0.plusMillis(j), "HeldJob", "default", "[" + j + "]",
                            null, null, null));
                }
                store.record(group, T0);
                // Once the applier has caught up, every job beyond the bound can be forgotten at the next group.
                store.journal().awaitApplied();
            }
            assertThat(store.journal().heldJobs()).isLessThanOrEqualTo(JournaledIngest.MAX_HELD_JOBS + 1_000);
            assertThat(store.countByStatus()).containsEntry(JobStatus.QUEUED, 30_000L);
        }
    }

    @Test
    void the_jobs_held_for_the_folds_stay_within_their_characters_when_every_group_brings_big_new_jobs() {
        String big = "x".repeat(16 * 1024);
        try (JdbiJobStore store = open("jdbc:h2:file:" + dir.resolve("held-chars") + ";WRITE_DELAY=0", IngestJournal.NO_FSYNC)) {
            // 12 groups of 500 jobs with 16 KB of arguments each: about 100 MB of jobs, three times the bound on
            // characters, in fewer jobs than the bound on jobs. Trimmed 256 jobs a group, the held characters would grow
            // by about 4 MB a group beyond it.
            long perGroup = 0;
            for (int g = 0; g < 12; g++) {
                List<JobEvent> group = new ArrayList<>();
                for (int j = 0; j < 500; j++) {
                    group.add(new JobEvent("c" + g + "-" + j, JobStatus.QUEUED, T0.plusMillis(j), "BigJob", "default",
                            "[\"" + big + "\"]", null, null, null));
                }
                long before = store.journal().heldChars();
                store.record(group, T0);
                perGroup = Math.max(perGroup, store.journal().heldChars() - before);
                store.journal().awaitApplied();
            }
            assertThat(perGroup).isGreaterThan(4L << 20);
            assertThat(store.journal().heldChars()).isLessThanOrEqualTo(JournaledIngest.MAX_HELD_CHARS + perGroup);
            assertThat(store.countByStatus()).containsEntry(JobStatus.QUEUED, 6_000L);
        }
    }

    @Test
    void the_backlog_counts_what_was_answered_and_not_yet_applied() throws Exception {
        // The applier stops inside its transaction, before the commit: the acknowledged event waits.
        java.util.concurrent.CountDownLatch applying = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch applierMayGoOn = pauseAt(JournalFaults.Step.APPLY_WRITTEN, applying);
        JdbiJobStore store = open("jdbc:h2:file:" + dir.resolve("backlog") + ";WRITE_DELAY=0", IngestJournal.NO_FSYNC);
        try {
            assertThat(store.unappliedEvents()).isZero();
            store.record(List.of(JobEvent.of("waiting", JobStatus.QUEUED, T0)), T0);
            assertThat(applying.await(1, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
            assertThat(store.unappliedEvents()).isEqualTo(1);
            applierMayGoOn.countDown();
            assertThat(store.details("waiting")).isPresent();
            assertThat(store.unappliedEvents()).isZero();
        } finally {
            applierMayGoOn.countDown();
            JournalFaults.hook = null;
            store.close();
        }
    }

    @Test
    void only_an_h2_file_used_by_this_process_alone_has_a_journal() {
        try (JdbiJobStore memory = open("jdbc:h2:mem:journal-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", IngestJournal.ALWAYS)) {
            assertThat(memory.journal()).isNull();
        }
        try (JdbiJobStore shared = open("jdbc:h2:file:" + dir.resolve("shared") + ";AUTO_SERVER=TRUE", IngestJournal.ALWAYS)) {
            assertThat(shared.journal()).isNull();
        }
        try (JdbiJobStore off = open("jdbc:h2:file:" + dir.resolve("off"), IngestJournal.OFF)) {
            assertThat(off.journal()).isNull();
            assertThat(Files.exists(Path.of(dir.resolve("off") + ".supervisor_journal"))).isFalse();
        }
        try (JdbiJobStore file = open("jdbc:h2:file:" + dir.resolve("file"), IngestJournal.ALWAYS)) {
            assertThat(file.journal()).isNotNull();
            assertThat(Files.isDirectory(Path.of(dir.resolve("file") + ".supervisor_journal"))).isTrue();
        }
    }

    /**
     * Makes the applier wait at {@code step} (telling {@code reached}, when not null) until the returned latch is
     * counted down; the test then sets {@link JournalFaults#hook} back to null.
     */
    private static java.util.concurrent.CountDownLatch pauseAt(JournalFaults.Step step, java.util.concurrent.CountDownLatch reached) {
        java.util.concurrent.CountDownLatch mayGoOn = new java.util.concurrent.CountDownLatch(1);
        JournalFaults.hook = at -> {
            if (at == step) {
                if (reached != null) {
                    reached.countDown();
                }
                try {
                    mayGoOn.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        return mayGoOn;
    }

    private static List<Path> segments(Path journal) throws IOException {
        try (Stream<Path> files = Files.list(journal)) {
            return files.filter(path -> path.getFileName().toString().startsWith("journal-")).toList();
        }
    }
}
