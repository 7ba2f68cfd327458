package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobPage;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.JobStore;

/**
 * A filter that the newest thousand jobs hold some matches for, but not a page: the page is looked for again among as
 * many of the newest jobs as should hold it twice at the rate the first look found, before asking any index.
 */
class WiderFilterProbeTest {
    private static final Instant T0 = Instant.parse("2026-12-03T09:00:00Z");

    @Test
    void a_page_the_newest_thousand_jobs_hold_only_part_of_is_found_among_more_of_the_newest() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:wider-probe;DB_CLOSE_DELAY=-1");
        List<String> statements = new CopyOnWriteArrayList<>();
        try (JobStore store = JdbiJobStore.open(RecordedStatements.recording(h2, statements), null)) {
            List<JobEvent> events = new ArrayList<>();
            for (int i = 0; i < 6_000; i++) {
                // One job in 100 holds the needle: 10 of the newest thousand, a page of 20 needs about 2,100. One in 500
                // holds "rare" too.
                String args = "[" + i + (i % 100 == 0 ? ",\"needle\"" : "") + (i % 500 == 0 ? ",\"rare\"" : "") + "]";
                events.add(new JobEvent("job-" + i, JobStatus.QUEUED, T0.plusSeconds(i), "Report", "default", args, null, null, null));
            }
            store.record(events, T0.plusSeconds(6_000));
            statements.clear();
            JobPage page = store.query(JobQuery.builder().filter("needle").limit(20).build());
            List<String> expected = new ArrayList<>();
            for (int i = 5_900; expected.size() < 20; i -= 100) {
                expected.add("job-" + i);
            }
            assertThat(page.jobs()).extracting(Job::jobId).containsExactlyElementsOf(expected);
            assertThat(page.nextCursor()).isNotNull();
            // 10 found among the first 1,000: twice a page of 21 at that rate is 4,200 rows; no query after that one.
            assertThat(statements).anyMatch(sql -> sql.contains(" limit 1000) newest"));
            assertThat(statements.get(statements.size() - 1)).contains(" limit 4200) newest");

            // Rarer than that (2 of the newest thousand): a page of 20 would need 21,000 rows, more than a look reads; the
            // query through the index answers.
            statements.clear();
            JobPage rare = store.query(JobQuery.builder().filter("rare").limit(20).build());
            assertThat(rare.jobs()).extracting(Job::jobId).containsExactly("job-5500", "job-5000", "job-4500", "job-4000",
                    "job-3500", "job-3000", "job-2500", "job-2000", "job-1500", "job-1000", "job-500", "job-0");
            assertThat(statements).filteredOn(sql -> sql.contains(") newest")).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .contains(" limit 1000) newest");
        }
    }
}
