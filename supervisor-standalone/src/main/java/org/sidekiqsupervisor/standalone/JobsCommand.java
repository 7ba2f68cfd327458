package org.sidekiqsupervisor.standalone;

import java.io.PrintWriter;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.jaxrs.JsonViews;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobListing;
import org.sidekiqsupervisor.model.JobQuery;
import org.sidekiqsupervisor.model.StatusFilter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jobs}: the original supervisor's queued/uncompleted/completed/all jobs from a terminal, newest activity first. */
@Command(name = "jobs", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"List jobs, newest activity first: the original supervisor's queued_jobs, uncompleted_jobs, "
                + "completed_jobs and jobs.",
                "Exit codes: 0 listed (even none), 1 the store or Redis did not answer, 2 bad usage."})
final class JobsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(java.time.ZoneOffset.UTC);

    @Option(names = "--status", paramLabel = "STATUS", defaultValue = "all",
            description = "queued, started, lost (needs --redis-url), complete, failed or all (default: ${DEFAULT-VALUE})")
    String status;

    @Mixin
    JobFilterOptions jobs = new JobFilterOptions();

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
            description = "at most this many jobs; they are read a page at a time (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "one JSON object per line (JSON Lines), as the HTTP API writes a job")
    boolean json;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    SidekiqOptions sidekiq = new SidekiqOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1 (got " + limit + ")");
        }
        StatusFilter wanted = parseStatus();
        PrintWriter out = spec.commandLine().getOut();
        try (Supervisor supervisor = Console.open(database, sidekiq)) {
            JobManager manager = supervisor.jobManager();
            JobQuery query = JobQuery.builder().status(wanted.status()).filter(jobs.filter).jobClass(jobs.jobClass).queue(jobs.queue)
                    .limit(Math.min(limit, JobQuery.MAX_LIMIT)).build();
            Table table = new Table("JOB_ID", "CLASS", "QUEUE", "STATUS", "ATTEMPTS>", "LAST_ACTIVITY_UTC", "ARGUMENTS");
            int shown = 0;
            while (shown < limit) {
                JobListing page = manager.queries().list(query, wanted.lostOnly());
                for (Job job : page.jobs().subList(0, Math.min(page.jobs().size(), limit - shown))) {
                    Boolean isLost = page.lost(job);
                    if (json) {
                        out.println(JsonViews.job(job, isLost, manager.sidekiqSettings()).toString());
                    } else {
                        table.row(job.jobId(), job.jobClass(), job.queue(),
                                job.status().wireName() + (Boolean.TRUE.equals(isLost) ? " (lost)" : ""), job.attempts(),
                                TIME.format(job.activityAt()), cut(job.arguments()));
                    }
                    shown++;
                }
                if (page.nextCursor() == null) {
                    break;
                }
                query = query.after(page.nextCursor());
            }
            if (!json) {
                if (table.isEmpty()) {
                    out.println("no jobs match");
                } else {
                    table.print(out);
                }
            }
            out.flush();
        }
        return 0;
    }

    private StatusFilter parseStatus() {
        try {
            return StatusFilter.parse(status, "status");
        } catch (org.sidekiqsupervisor.InvalidInputException e) {
            throw new ParameterException(spec.commandLine(),
                    "--status must be one of queued, started, lost, complete, failed, all (got " + status + ")");
        }
    }

    private static String cut(String text) {
        if (text == null) {
            return null;
        }
        return text.length() <= 60 ? text : text.substring(0, 59) + "…";
    }
}
