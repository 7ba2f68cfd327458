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
