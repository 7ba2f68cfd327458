package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.model.PageCursor;
import org.sidekiqsupervisor.store.JobStore;
import org.sidekiqsupervisor.testing.PostgresDatabase;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/**
 * On PostgreSQL a filter that the newest jobs do not fill a page with asks the trigram index only for the needle's
 * rare runs, when it has some, and checks the needle on what they give: the jobs it finds are the jobs whose arguments
 * hold the needle, as they are for the query asking the index for the whole needle.
 */
@RequiresService(Service.POSTGRES)
class PostgresRareFilterIT {
    private static final Instant T0 = Instant.parse("2026-12-03T09:00:00Z");
    private static final int JOBS = 1_200;

    @Test
    void a_needle_with_rare_runs_finds_exactly_its_jobs_through_them_and_a_common_one_as_before() {
        List<String> statements = new CopyOnWriteArrayList<>();
        try (PostgresDatabase database = PostgresDatabase.create();
             JobStore store = JdbiJobStore.open(RecordedStatements.recording(database.dataSource(), statements), null)) {
            List<JobEvent> events = new ArrayList<>();
            List<String> arguments = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                // Every job: an address among 300 (so "user" and "example" are in all of them); a few: rare words, in
                // mixed case and beside LIKE's wildcards, which the filter matches literally.
                String extra = i % 400 == 7 ? ",\"Quokka_%" + i + "\"" : i % 400 == 9 ? ",\"quokka-" + i + "\"" : "";
                String args = "[" + i + ",\"user" + (i % 300) + "@example.com\"" + extra + "]";
                arguments.add(args);
                events.add(new JobEvent("job-" + i, JobStatus.QUEUED, T0.plusSeconds(i), "Report" + (i % 3), "default", args,
                        null, null, null));
            }
            store.record(events, T0.plusSeconds(JOBS));

            for (String needle : List.of("Quokka_%", "quokka", "okka", "user42@", "Quokka_%407\"", "%", "example.com", "user1@example.com")) {
                statements.clear();
                List<String> found = everyPage(store, JobQuery.builder().filter(needle).limit(2).build());
                List<String> expected = new ArrayList<>();
                for (int i = JOBS - 1; i >= 0; i--) {
                    if (arguments.get(i).contains(needle)) {
                        expected.add("job-" + i);
                    }
                }
                assertThat(found).as(needle).containsExactlyElementsOf(expected);
                // Runs few jobs hold (the two rare words' letters, "r42"): the index is asked for them only. A needle with
                // no run of letters or digits, or whose runs many jobs hold, is asked for whole, as before.
                boolean rare = !List.of("%", "example.com", "user1@example.com").contains(needle);
                assertThat(statements.stream().anyMatch(sql -> sql.contains("offset 0) candidates"))).as(needle).isEqualTo(rare);
            }

            // With other criteria, the sample is of the jobs that meet them.
            List<String> found = everyPage(store, JobQuery.builder().filter("uokk").jobClass("Report1").limit(2).build());
            assertThat(found).containsExactlyElementsOf(arguments.stream().filter(a -> a.contains("uokk"))
                    .map(a -> Integer.parseInt(a.substring(1, a.indexOf(','))))
                    .filter(i -> i % 3 == 1).sorted(Comparator.reverseOrder()).map(i -> "job-" + i).toList());
        }
    }

    /** The job ids of every page, following the cursors. */
    private static List<String> everyPage(JobStore store, JobQuery first) {
        List<String> ids = new ArrayList<>();
        PageCursor cursor = null;
        do {
            JobQuery query = cursor == null ? first : JobQuery.builder().filter(first.filter()).jobClass(first.jobClass())
                    .limit(first.limit()).cursor(cursor).build();
            JobPage page = store.query(query);
            page.jobs().stream().map(Job::jobId).forEach(ids::add);
            cursor = page.nextCursor();
        } while (cursor != null);
        return ids;
    }
}
