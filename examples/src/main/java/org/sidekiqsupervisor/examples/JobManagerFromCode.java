package org.sidekiqsupervisor.examples;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationReport;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobListing;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.JobStatus;

/**
 * The original supervisor's {@code rails c} session, in Java: record a few jobs, then ask the JobManager about them.
 *
 * <p>Run: {@code mvn -q -pl examples -am exec:java -Dexec.mainClass=org.sidekiqsupervisor.examples.JobManagerFromCode}
 */
public final class JobManagerFromCode {
    private JobManagerFromCode() {
    }

    /** Runs the session against {@code databaseUrl} and returns what it printed. */
    public static String run(String databaseUrl) {
        StringBuilder out = new StringBuilder();
        try (Supervisor supervisor = Supervisor.builder().databaseUrl(databaseUrl).build()) {
            JobManager jobs = supervisor.jobManager();
            Instant t = Instant.parse("2026-11-28T17:00:00Z");
            jobs.recordAll(List.of(
                    new JobEvent("a1", JobStatus.QUEUED, t, "MailerJob", "default", "[1,\"bob@example.com\"]", null, null, null),
                    JobEvent.of("a1", JobStatus.STARTED, t.plusMillis(40)),
                    JobEvent.of("a1", JobStatus.COMPLETE, t.plusMillis(290)),
                    new JobEvent("a2", JobStatus.QUEUED, t, "MailerJob", "default", "[2,\"alice@example.com\"]", null, null, null),
                    JobEvent.of("a2", JobStatus.STARTED, t.plusMillis(10)),
                    new JobEvent("a3", JobStatus.QUEUED, t, "ReportJob", "low", "[3,\"bob@example.com\"]", null, null, null)));

            out.append("queued_jobs: ").append(ids(jobs.queuedJobs(null).toList())).append('\n');
            out.append("uncompleted_jobs: ").append(ids(jobs.uncompletedJobs(null).toList())).append('\n');
            out.append("completed_jobs(bob): ").append(ids(jobs.completedJobs("bob@example.com").toList())).append('\n');
            out.append("jobs(bob): ").append(ids(jobs.jobs("bob@example.com").toList())).append('\n');
            jobs.queuedToCompletionDuration(null).forEach(d ->
                    out.append("queued→complete ").append(d.jobId()).append(": ").append(d.duration().toMillis()).append(" ms\n"));
            jobs.completedJobsDuration(null).forEach(d ->
                    out.append("started→complete ").append(d.jobId()).append(": ").append(d.duration().toMillis()).append(" ms\n"));

            // For big stores: one page at a time, and statistics computed by the database.
            JobListing page = jobs.queries().list(JobQuery.builder().jobClass("MailerJob").limit(1).build(), false);
            out.append("first MailerJob page: ").append(ids(page.jobs())).append(", more: ").append(page.nextCursor() != null).append('\n');
            DurationReport report = jobs.queries().durations(DurationQuery.of(DurationFrom.STARTED, null));
            out.append("p50 run time: ").append(report.summaries().overall().p50Ms()).append(" ms over ")
                    .append(report.summaries().overall().count()).append(" jobs\n");
        }
        return out.toString();
    }

    private static String ids(List<Job> jobs) {
        return jobs.stream().map(Job::jobId).collect(Collectors.joining(", ", "[", "]"));
    }

    /** Prints the session, run against the JDBC URL in {@code args[0]}, else an in-memory H2 database. */
    public static void main(String[] args) {
        System.out.print(run(args.length > 0 ? args[0] : "jdbc:h2:mem:example"));
    }
}
