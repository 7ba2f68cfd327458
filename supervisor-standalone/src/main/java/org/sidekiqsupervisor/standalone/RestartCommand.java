package org.sidekiqsupervisor.standalone;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.jaxrs.JsonViews;
import org.sidekiqsupervisor.model.RestartRequest;
import org.sidekiqsupervisor.model.RestartResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code restart}: the original supervisor's restart_uncompleted_jobs, made safe (lost jobs only by default), from a
 * terminal.
 */
@Command(name = "restart", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Put lost jobs back on Sidekiq's queues under new job ids (the original supervisor's "
                + "restart_uncompleted_jobs, for lost jobs only unless --scope uncompleted). Needs --redis-url. "
                + "Try --dry-run first.",
                "Progress goes to stderr on long runs; the result to stdout.",
                "Exit codes: 0 done (including nothing to do), 1 the store or Redis did not answer, 2 bad usage (or no Redis), "
                        + "3 stopped part-way: what was done is listed, run it again for the rest."})
final class RestartCommand implements Callable<Integer> {
    /** Jobs restarted per round; progress is reported after each. */
    static final int ROUND = 100;

    @Mixin
    JobFilterOptions jobs = new JobFilterOptions();

    @Option(names = "--job-id", paramLabel = "JID", description = "only this job")
    String jobId;

    @Option(names = "--scope", paramLabel = "lost|uncompleted", defaultValue = "lost",
            description = "lost: only jobs Sidekiq has no trace of (default); uncompleted: every started job, as the "
                    + "original supervisor did (duplicates jobs that are still running)")
    String scope;

    @Option(names = "--older-than", paramLabel = "SECONDS", description = "only jobs that started more than this long ago")
    Long olderThanSeconds;

    @Option(names = "--force", description = "restart jobs whose class's --policy is hold or never too (a quarantined job "
            + "stays quarantined)")
    boolean force;

    @Option(names = "--dry-run", description = "list what would be restarted and what would be left alone; change nothing")
    boolean dryRun;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000",
            description = "restart at most this many jobs (default: ${DEFAULT-VALUE}, at most " + RestartRequest.MAX_LIMIT + ")")
    int limit;

    @Option(names = "--json", description = "print the result as JSON, as POST /api/v1/jobs/restart answers")
    boolean json;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    SidekiqOptions sidekiq = new SidekiqOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        RestartRequest request;
        try {
            request = new RestartRequest(jobs.filter, RestartRequest.Scope.fromWireName(scope),
                    olderThanSeconds == null ? null : Duration.ofSeconds(olderThanSeconds), dryRun, limit, jobs.jobClass, jobs.queue, jobId,
                    force);
        } catch (org.sidekiqsupervisor.InvalidInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (sidekiq.url == null || sidekiq.url.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "restart needs Sidekiq's Redis: pass --redis-url or set REDIS_URL");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Supervisor supervisor = Console.open(database, sidekiq)) {
            RestartResult result = dryRun ? supervisor.jobManager().restart(request, "console") : inRounds(supervisor, request, err);
            if (json) {
                out.println(JsonViews.restart(result).toString());
            } else {
                print(result, out);
            }
            out.flush();
            return result.error() != null ? Console.PARTLY_DONE : 0;
        }
    }

    /** Restarts in rounds of {@value #ROUND}, reporting progress after each, until the limit or nothing is left. */
    private static RestartResult inRounds(Supervisor supervisor, RestartRequest request, PrintWriter err) {
        List<RestartResult.Restarted> restarted = new ArrayList<>();
        Map<String, RestartResult.Skipped> skipped = new LinkedHashMap<>();
        while (true) {
            int round = Math.min(ROUND, request.limit() - restarted.size());
            RestartResult result = supervisor.jobManager().restart(new RestartRequest(request.filter(), request.scope(),
                    request.olderThan(), false, round, request.jobClass(), request.queue(), request.jobId(), request.force()),
                    "console");
            restarted.addAll(result.restarted());
            // Every round looks at the jobs left alone before again: list each once.
            result.skipped().forEach(s -> skipped.put(s.jobId(), s));
            boolean more = result.more() && restarted.size() < request.limit();
            if (result.more() || restarted.size() >= ROUND) {
                err.printf("restarted %d so far, %d left alone%s%n", restarted.size(), skipped.size(), more ? "; going on" : "");
                err.flush();
            }
            if (result.error() != null || !more || result.restarted().isEmpty()) {
                return new RestartResult(restarted, new ArrayList<>(skipped.values()), false,
                        result.more(), result.error());
            }
        }
    }

    private static void print(RestartResult result, PrintWriter out) {
        if (!result.restarted().isEmpty()) {
            Table table = new Table("JOB_ID", result.dryRun() ? "WOULD_BE_PUSHED_TO" : "NEW_JOB_ID", "QUEUE");
            for (RestartResult.Restarted job : result.restarted()) {
                table.row(job.jobId(), result.dryRun() ? "(dry run)" : job.newJobId(), job.queue());
            }
            table.print(out);
        }
        Map<String, Integer> reasons = new TreeMap<>();
        result.skipped().forEach(s -> reasons.merge(s.reason(), 1, Integer::sum));
        out.printf("%s %d job(s)%s; left alone %d%s%n", result.dryRun() ? "would restart" : "restarted", result.restarted().size(),
                result.more() ? " (more remain: run again)" : "", result.skipped().size(),
                reasons.isEmpty() ? "" : " " + reasons);
        if (result.error() != null) {
            out.println("stopped part-way: " + result.error());
        }
    }
}
