package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobEventRecord;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.store.IngestJournal;
import org.sidekiqsupervisor.store.StoreSchema;

/**
 * A process killed at each step of the ingest journal's work (half-way through appending a group, appended and not
 * yet answered, a batch written into the store's transaction and not committed, committed and still in the journal,
 * the journal given back): once the store is opened again, every event that was acknowledged is in it, an event cut
 * off mid-write is not, nothing is there twice, and the store goes on taking events.
 */
class JournalCrashTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(JournalFaults.Step.class)
    void every_acknowledged_event_survives_a_kill_at(JournalFaults.Step step) throws Exception {
        Path file = dir.resolve("store");
        // Far enough in for the journal to hold applied and unapplied groups and to have given some back.
        int nth = switch (step) {
            case MID_APPEND, APPENDED -> 400;
            case APPLY_WRITTEN, APPLIED, RELEASED -> 3;
        };
        List<String> sent = new ArrayList<>();
        Set<String> acked = new HashSet<>();
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), JournalCrashChild.class.getName(), file.toString(), step.name(),
                Integer.toString(nth)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("sending ")) {
                    sent.add(line.substring("sending ".length()));
                } else if (line.startsWith("acked ")) {
                    acked.add(line.substring("acked ".length()));
                }
            }
        }
        assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as("the child halted at " + step).isEqualTo(JournalCrashChild.HALTED);
        assertThat(acked).as("events acknowledged before the kill").hasSizeGreaterThan(10);
        String last = sent.get(sent.size() - 1);

        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:file:" + file + ";WRITE_DELAY=0");
        try (JdbiJobStore store = JdbiJobStore.open(pool, StoreSchema.DEFAULT, pool, IngestJournal.EVERY_SECOND)) {
            Set<String> jobIds = new HashSet<>();
            sent.forEach(event -> jobIds.add(event.split(" ")[0]));
            Set<String> stored = new HashSet<>();
            for (String jobId : jobIds) {
                store.details(jobId).map(JobDetails::events).orElse(List.of())
                        .forEach(event -> assertThat(stored.add(key(jobId, event))).as("stored once: %s %s", jobId, event).isTrue());
            }
            assertThat(acked).as("acknowledged events after the kill at " + step).allSatisfy(event -> assertThat(stored).contains(event));
            assertThat(sent).as("only events that were sent are stored").containsAll(stored);
            if (step == JournalFaults.Step.MID_APPEND) {
                // The group cut off half-way through its write was never acknowledged, and is not read back.
                assertThat(acked).doesNotContain(last);
                assertThat(stored).doesNotContain(last);
            }
            assertThat(segments(file)).as("the journal was applied at the start and given back").isEmpty();

            // And the store goes on: the event after the kill is recorded and read back.
            String[] parts = last.split(" ");
            JobEvent again = JobEvent.of(parts[0], JobStatus.fromWireName(parts[1], "status"), Instant.parse(parts[2]));
            RecordResult result = store.record(List.of(again), Instant.now()).get(0);
            assertThat(result.outcome()).isEqualTo(stored.contains(last) ? RecordResult.Outcome.DUPLICATE
                    : again.status() == JobStatus.QUEUED ? RecordResult.Outcome.CREATED : RecordResult.Outcome.UPDATED);
            assertThat(store.details(parts[0]).orElseThrow().events()).extracting(JobEventRecord::status).contains(again.status());
        }
    }

    private static String key(String jobId, JobEventRecord event) {
        return jobId + " " + event.status().wireName() + " " + event.at();
    }

    private static List<Path> segments(Path file) throws IOException {
        Path journal = Path.of(file + ".supervisor_journal");
        try (Stream<Path> files = Files.list(journal)) {
            return files.filter(path -> path.getFileName().toString().startsWith("journal-")).toList();
        }
    }
}
