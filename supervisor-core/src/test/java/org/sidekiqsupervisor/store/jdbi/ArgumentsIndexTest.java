package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationSummaries;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDuration;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.PageCursor;
import org.sidekiqsupervisor.store.StoreSchema;

/** H2's index of the arguments filter: what it finds is what a scan finds, and its documents come and go with the jobs. */
class ArgumentsIndexTest {
    private static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");

    private HikariDataSource pool;
    private JdbiJobStore store;

    @BeforeEach
    void open() {
        pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        store = JdbiJobStore.open(pool, pool);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void a_filtered_query_finds_exactly_the_jobs_whose_arguments_hold_the_needle() {
        Random random = new Random(17);
        Map<String, String> arguments = new HashMap<>();
        List<JobEvent> batch = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            String id = "j" + i;
            // Ids, numbers and addresses as the arguments of real jobs hold them; a few with characters beyond ASCII.
            String args = "[" + random.nextInt(100_000) + ",\"user" + random.nextInt(3_000) + "@example.com\""
                    + (i % 97 == 0 ? ",\"Zoë Ångström\"" : "") + ",{\"plan\":\"" + (i % 3 == 0 ? "basic" : "pro") + "\"}]";
            arguments.put(id, args);
            batch.add(new JobEvent(id, JobStatus.QUEUED, T0.plusMillis(i), "Job" + i % 5, "default", args, null, null, null));
            if (i % 2 == 0) {
                batch.add(JobEvent.of(id, JobStatus.STARTED, T0.plusMillis(i + 3)));
            }
            if (batch.size() >= 500) {
                store.record(batch, T0.plusSeconds(10));
                batch = new ArrayList<>();
            }
        }
        store.record(batch, T0.plusSeconds(10));

        List<String> needles = new ArrayList<>(List.of("user1234@", "user12@", "Ångström", "Zoë Å", "ë Å", "\"pro\"", "basic",
                "@example.com", "nowhere at all", "user2999@example.com\",{\"plan\":\"pro\"}"));
        List<String> all = List.copyOf(arguments.values());
        for (int i = 0; i < 30; i++) {
            String args = all.get(random.nextInt(all.size()));
            int from = random.nextInt(args.length() - 4);
            needles.add(args.substring(from, from + 4 + random.nextInt(Math.min(12, args.length() - from - 4) + 1)));
        }
        for (String needle : needles) {
            List<String> expected = arguments.entrySet().stream().filter(e -> e.getValue().contains(needle)).map(Map.Entry::getKey)
                    .sorted().toList();
            assertThat(allPages(JobQuery.builder().filter(needle).limit(500).build())).as(needle).isEqualTo(expected);
            assertThat(allPages(JobQuery.builder().status(JobStatus.STARTED).filter(needle).limit(30).build())).as(needle)
                    .isEqualTo(expected.stream().filter(id -> Integer.parseInt(id.substring(1)) % 2 == 0).toList());
        }
        // A rare needle is served by the index: few candidates, among them every job that holds it.
        long[] candidates = candidates("user1234@").orElseThrow();
        assertThat(candidates.length).isLessThan(50);
        assertThat(candidates.length).isGreaterThanOrEqualTo((int) arguments.values().stream().filter(a -> a.contains("user1234@")).count());
        // A needle shorter than a gram is left to the scan.
        assertThat(candidates("ser")).isEmpty();
    }

    @Test
    void arguments_that_arrive_after_the_job_are_indexed_and_deleted_jobs_leave_no_documents() {
        // Started first, without arguments (a job queued before the middleware was installed); its queued event brings them.
        store.record(List.of(JobEvent.of("late", JobStatus.STARTED, T0)), T0);
        assertThat(ids("late-args-4711")).isEmpty();
        store.record(List.of(new JobEvent("late", JobStatus.QUEUED, T0.minusSeconds(1), "LateJob", "default", "[\"late-args-4711\"]",
                null, null, null)), T0.plusSeconds(1));
        assertThat(ids("late-args-4711")).containsExactly("late");
        assertThat(documents()).isEqualTo(jobsWithArguments());

        List<JobEvent> batch = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            batch.add(new JobEvent("p" + i, JobStatus.QUEUED, T0.plusMillis(i), "PruneJob", "default", "[\"prune-" + i + "\"]", null, null, null));
            batch.add(JobEvent.of("p" + i, JobStatus.COMPLETE, T0.plusMillis(i + 5)));
            batch.add(new JobEvent("d" + i, JobStatus.QUEUED, T0.plusMillis(i), "DeleteJob", "default", "[\"delete-" + i + "\"]", null, null, null));
        }
        store.record(batch, T0.plusSeconds(2));
        assertThat(documents()).isEqualTo(jobsWithArguments()).isEqualTo(601);

        assertThat(store.prune(T0.plus(Duration.ofHours(1)), 10_000, false)).isEqualTo(300);
        List<Job> deleting = store.query(JobQuery.builder().jobClass("DeleteJob").limit(100).build()).jobs();
        assertThat(store.delete(deleting)).hasSize(100);
        // The original of a restart goes with its document too.
        Job late = store.details("late").orElseThrow().job();
        store.completeRestart(late, new JobEvent("late-again", JobStatus.QUEUED, T0.plusSeconds(3), "LateJob", "default",
                "[\"late-args-4711\"]", null, null, null), T0.plusSeconds(3));

        assertThat(documents()).isEqualTo(jobsWithArguments());
        assertThat(ids("prune-1")).isEmpty();
        assertThat(ids("delete-299")).isEmpty(); // the newest hundred were deleted
        assertThat(ids("delete-199")).containsExactly("d199");
        assertThat(ids("late-args-4711")).containsExactly("late-again");
    }

    @Test
    void durations_with_a_filter_read_the_candidates_and_give_what_a_scan_gives() {
        List<JobEvent> batch = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String id = "t" + i;
            Instant queued = T0.plusSeconds(i);
            batch.add(new JobEvent(id, JobStatus.QUEUED, queued, "TimedJob", "default", "[\"order-" + (10_000 + i % 200) + "\"]",
                    null, null, null));
            batch.add(JobEvent.of(id, JobStatus.STARTED, queued.plusMillis(10)));
            batch.add(JobEvent.of(id, JobStatus.COMPLETE, queued.plusMillis(10 + 100 * (i % 7 + 1))));
        }
        store.record(batch, T0.plusSeconds(700));
        // order-10042: jobs 42, 242 and 442, runs of 100 * (0 + 1), 100 * (4 + 1) and 100 * (1 + 1) ms.
        assertThat(candidates("order-10042").orElseThrow()).hasSize(3);
        DurationQuery query = new DurationQuery(DurationFrom.STARTED, "order-10042", null, null, 10, null);
        assertThat(store.durationPage(query).jobs()).extracting(JobDuration::jobId).containsExactly("t442", "t242", "t42");
        assertThat(store.durationPage(query).jobs()).extracting(d -> d.duration().toMillis()).containsExactly(200L, 500L, 100L);
        DurationSummaries summaries = store.durationSummaries(query);
        assertThat(summaries.overall().count()).isEqualTo(3);
        assertThat(summaries.overall().maxMs()).isEqualTo(500.0);
        // A needle too short for the index scans, and finds the same.
        assertThat(store.durationSummaries(new DurationQuery(DurationFrom.STARTED, "042", null, null, 10, null)).overall().count())
                .isEqualTo(3);
    }

    @Test
    void upgrading_a_store_numbers_its_jobs_and_indexes_their_arguments() {
        store.close();
        pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway flyway = JdbiJobStore.flyway(pool, StoreSchema.DEFAULT);
        Flyway.configure().configuration(flyway.getConfiguration()).target("16").load().migrate();
        Jdbi.create(pool).useHandle(handle -> {
            for (int i = 0; i < 50; i++) {
                handle.createUpdate("insert into supervisor_jobs (job_id, arguments, status, status_us, attempts, activity_us, created_us, "
                                + "restarts) values (:id, :args, 'queued', 1, 0, :at, 1, 0)")
                        .bind("id", "old" + i).bind("args", i == 7 ? null : "[\"order-" + (1000 + i) + "\"]").bind("at", 1_000_000L + i).execute();
            }
        });
        store = JdbiJobStore.open(pool, pool);
        assertThat(ids("order-1042")).containsExactly("old42");
        assertThat(candidates("order-1042").orElseThrow()).hasSize(1);
        assertThat(documents()).isEqualTo(jobsWithArguments());
        // New jobs are numbered after the old ones.
        store.record(List.of(new JobEvent("new", JobStatus.QUEUED, T0, "NewJob", "default", "[\"order-1042\"]", null, null, null)), T0);
        assertThat(ids("order-1042")).containsExactlyInAnyOrder("old42", "new");
    }

    @Test
    void after_a_crash_the_jobs_the_index_had_not_committed_are_indexed_again_from_h2(@TempDir Path dir) throws Exception {
        store.close();
        pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:file:" + dir.resolve("store"));
        store = JdbiJobStore.open(pool, pool);
        store.record(List.of(new JobEvent("before", JobStatus.QUEUED, T0, "CrashJob", "default", "[\"crash-before\"]", null, null, null)), T0);
        store.argumentsIndex().commit();
        // The index's directory as a crash now would leave it: its last commit, nothing written after.
        Path index = dir.resolve("store.supervisor_arguments");
        Path snapshot = dir.resolve("snapshot");
        copy(index, snapshot);
        store.record(List.of(new JobEvent("after", JobStatus.QUEUED, T0, "CrashJob", "default", "[\"crash-after\"]", null, null, null)), T0);
        store.close();
        deleteTree(index);
        copy(snapshot, index);

        pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:file:" + dir.resolve("store"));
        store = JdbiJobStore.open(pool, pool);
        assertThat(ids("crash-after")).containsExactly("after");
        assertThat(ids("crash-before")).containsExactly("before");
        assertThat(documents()).isEqualTo(2);
        // Jobs numbered after the recovery do not collide with those numbered before the crash.
        store.record(List.of(new JobEvent("later", JobStatus.QUEUED, T0, "CrashJob", "default", "[\"crash-later\"]", null, null, null)), T0);
        assertThat(ids("crash-")).containsExactlyInAnyOrder("before", "after", "later");
        store.close();

        // Without its directory at all, the index is built again from the jobs.
        deleteTree(index);
        pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:file:" + dir.resolve("store"));
        store = JdbiJobStore.open(pool, pool);
        assertThat(ids("crash-later")).containsExactly("later");
        assertThat(documents()).isEqualTo(3);
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }

    private static void deleteTree(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }

    private List<String> ids(String needle) {
        return allPages(JobQuery.builder().filter(needle).limit(50).build());
    }

    private List<String> allPages(JobQuery first) {
        List<String> ids = new ArrayList<>();
        PageCursor cursor = null;
        do {
            JobQuery.Builder query = JobQuery.builder().filter(first.filter()).status(first.status()).limit(first.limit());
            JobPage page = store.query(cursor == null ? query.build() : query.cursor(cursor).build());
            page.jobs().forEach(job -> ids.add(job.jobId()));
            cursor = page.nextCursor();
        } while (cursor != null);
        return ids.stream().sorted().collect(Collectors.toList());
    }

    private Optional<long[]> candidates(String needle) {
        return store.argumentsIndex().candidates(needle);
    }

    private long documents() {
        return store.argumentsIndex().documents();
    }

    /** The documents the index should hold: one for each job with arguments. */
    private long jobsWithArguments() {
        return Jdbi.create(pool).withHandle(handle -> handle.createQuery("select count(*) from supervisor_jobs where arguments is not null")
                .mapTo(Long.class).one());
    }
}
