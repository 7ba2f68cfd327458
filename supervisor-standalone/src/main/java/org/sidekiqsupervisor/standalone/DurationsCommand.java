package org.sidekiqsupervisor.standalone;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.jaxrs.JsonViews;
import org.sidekiqsupervisor.model.DurationFrom;
import org.sidekiqsupervisor.model.DurationQuery;
import org.sidekiqsupervisor.model.DurationReport;
import org.sidekiqsupervisor.model.DurationSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code durations}: the original supervisor's queued_to_completion_duration and completed_jobs_duration, summarised. */
@Command(name = "durations", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"How long completed jobs took, overall and per job class: count, mean, p50, p95, p99, max.",
                "Exit codes: 0 done, 1 the store did not answer, 2 bad usage."})
final class DurationsCommand implements Callable<Integer> {
    @Option(names = "--from", paramLabel = "queued|started", defaultValue = "queued",
            description = "queued: queued to complete, waiting included (the original supervisor's "
                    + "queued_to_completion_duration); started: last start to complete, the run time "
                    + "(completed_jobs_duration). Default: ${DEFAULT-VALUE}")
    String from;

    @Mixin
    JobFilterOptions jobs = new JobFilterOptions();

    @Option(names = "--json", description = "print the summaries as JSON, as GET /api/v1/durations?limit=0 does")
    boolean json;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        DurationFrom start;
        try {
            start = DurationFrom.fromWireName(from);
        } catch (org.sidekiqsupervisor.InvalidInputException e) {
            throw new ParameterException(spec.commandLine(), "--from must be queued or started (got " + from + ")");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Supervisor supervisor = Console.open(database, null)) {
            DurationReport report = supervisor.jobManager().queries().durations(new DurationQuery(start, jobs.filter, jobs.jobClass, jobs.queue, 0, null));
            if (json) {
                out.println(JsonViews.durations(report, start.wireName()).toString());
            } else if (report.summaries().overall().count() == 0) {
                out.println("no completed jobs match");
            } else {
                Table table = new Table("CLASS", "COUNT>", "MEAN>", "P50>", "P95>", "P99>", "MAX>");
                row(table, "(all)", report.summaries().overall());
                for (Map.Entry<String, DurationSummary> entry : report.summaries().byClass().entrySet()) {
                    row(table, entry.getKey().isEmpty() ? "(no class)" : entry.getKey(), entry.getValue());
                }
                out.println(start == DurationFrom.QUEUED ? "queued to complete:" : "last start to complete:");
                table.print(out);
            }
            out.flush();
        }
        return 0;
    }

    private static void row(Table table, String name, DurationSummary s) {
        table.row(name, s.count(), ms(s.meanMs()), ms(s.p50Ms()), ms(s.p95Ms()), ms(s.p99Ms()), ms(s.maxMs()));
    }

    /** Milliseconds with a unit, in the largest unit that keeps three figures. */
    static String ms(double ms) {
        if (ms < 1000) {
            return String.format(Locale.ROOT, "%.1f ms", ms);
        }
        if (ms < 120_000) {
            return String.format(Locale.ROOT, "%.2f s", ms / 1000);
        }
        if (ms < 7_200_000) {
            return String.format(Locale.ROOT, "%.1f min", ms / 60_000);
        }
        return String.format(Locale.ROOT, "%.1f h", ms / 3_600_000);
    }
}
