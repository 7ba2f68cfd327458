package org.sidekiqsupervisor.benchmarks;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.sidekiqsupervisor.benchmarks.BacklogBenchmark.Dashboard;
import org.sidekiqsupervisor.benchmarks.BacklogBenchmark.Phase;
import org.sidekiqsupervisor.benchmarks.BacklogBenchmark.Report;
import org.sidekiqsupervisor.benchmarks.BacklogBenchmark.Timing;

/** How the backlog benchmark prints what it measured: the figures with no backlog beside those with it, and the targets. */
final class BacklogReport {
    private BacklogReport() {
    }

    private static String ms(double value) {
        return Double.isNaN(value) ? "-" : value >= 100 ? String.format("%,.0f", value) : String.format("%.1f", value);
    }

    private static String count(double value) {
        return value >= 100 ? String.format("%,.0f", value) : String.format("%.1f", value);
    }

    private static String kb(double bytes) {
        return count(bytes / 1024);
    }

    /** Prints the report: every request's figure empty beside backlog, the dashboard's Redis reads, SLOWLOG, targets. */
    static void print(PrintStream out, Report report, String sizes, String loadAverage, Duration dashboardInterval) {
        Phase empty = report.empty();
        Phase backlog = report.backlog();
        out.printf("%nBacklog report: %s; load average %s at the end%n", sizes, loadAverage);
        out.printf("%-40s %10s %10s %9s %9s %19s %21s%n", "request (median ms)", "no backlog", "backlog", "ratio", "<= 1.5x",
                "Redis cmds/request", "KB read/request");
        int met = 0;
        for (int i = 0; i < empty.timings().size(); i++) {
            Timing before = empty.timings().get(i);
            Timing after = backlog.timings().get(i);
            double ratio = after.medianMs() / before.medianMs();
            met += ratio <= BacklogBenchmark.TARGET_RATIO ? 1 : 0;
            out.printf("%-40s %10s %10s %9.2f %9s %19s %21s%s%n", before.name(), ms(before.medianMs()), ms(after.medianMs()), ratio,
                    ratio <= BacklogBenchmark.TARGET_RATIO ? "met" : "NOT MET", count(before.commandsPerRequest()) + " / " + count(after.commandsPerRequest()),
                    kb(before.bytesPerRequest()) + " / " + kb(after.bytesPerRequest()),
                    before.errors() + after.errors() == 0 ? "" : "  (" + before.errors() + " / " + after.errors() + " failed answers)");
        }
        out.printf("(Redis cmds and KB: what the supervisor asked and read while the requests ran, divided by their number, no "
                + "backlog / backlog: its background looks at Sidekiq included; of the requests only the overview reads Redis, Sidekiq's "
                + "live state (sizes, latencies, processes); lost jobs listed "
                + "as lost before measuring: %d / %d of %d)%n", empty.lostListed(), backlog.lostListed(), BacklogBenchmark.LOST);

        Dashboard quiet = empty.dashboard();
        Dashboard busy = backlog.dashboard();
        out.printf("%ndashboard open (GET /sidekiq every %d s): %d page loads in %.0f s / %.0f s, median %s / %s ms%s%n",
                dashboardInterval.toSeconds(), busy.pageLoads(), quiet.seconds(), busy.seconds(), ms(quiet.medianPageMs()),
                ms(busy.medianPageMs()), quiet.errors() + busy.errors() == 0 ? ""
                        : " (" + quiet.errors() + " / " + busy.errors() + " failed loads)");
        out.printf("%-40s %12s %12s %9s%n", "the supervisor's Redis reads", "no backlog", "backlog", "ratio");
        out.printf("%-40s %12s %12s %9.1f%n", "commands per minute", count(quiet.commandsPerMinute()), count(busy.commandsPerMinute()),
                busy.commandsPerMinute() / quiet.commandsPerMinute());
        out.printf("%-40s %12s %12s %9.1f%n", "MB read per minute", count(quiet.bytesPerMinute() / 1e6), count(busy.bytesPerMinute() / 1e6),
                busy.bytesPerMinute() / quiet.bytesPerMinute());
        out.printf("commands per minute with the backlog, by command: %s%n", perMinute(busy));

        for (Phase phase : List.of(empty, backlog)) {
            out.printf("%nSLOWLOG over %d ms, %s: %d entries, %d of them the supervisor's%n", RedisWatch.SLOWLOG_MICROS / 1000,
                    phase.name(), phase.slowlog().size(), phase.supervisorSlow());
            List<RedisWatch.Slow> shown = phase.slowlog().subList(0, Math.min(128, phase.slowlog().size()));
            if (!shown.isEmpty()) {
                out.printf("  %11s  %-10s  %-20s %-22s %s%n", "duration", "whose", "client name", "client address", "command");
            }
            for (RedisWatch.Slow slow : shown) {
                out.printf("  %8.1f ms  %-10s  %-20s %-22s %s%n", slow.ms(), slow.supervisors() ? "supervisor" : "benchmark",
                        slow.clientName().isEmpty() ? "(no name)" : slow.clientName(), slow.clientAddress(), slow.command());
            }
            if (shown.size() < phase.slowlog().size()) {
                out.printf("  (%d more)%n", phase.slowlog().size() - shown.size());
            }
        }
        out.printf("%nthe supervisor's looks at Sidekiq (every place it holds jobs, paced; from /metrics) over each phase: "
                        + "%.0f / %.0f looks, mean %s / %s s, %,.0f / %,.0f entries read each%n", empty.looks().count(),
                backlog.looks().count(), ms(empty.looks().meanSeconds()), ms(backlog.looks().meanSeconds()), empty.looks().entriesRead(),
                backlog.looks().entriesRead());
        out.printf("a started job put back at the tail of queue:default (as Sidekiq's shutdown does), behind %,d jobs: listed lost: "
                + "%s / %s (must be no / no)%n", report.loaded(), empty.requeuedListedLost() ? "YES" : "no",
                backlog.requeuedListedLost() ? "YES" : "no");
        BacklogBenchmark.Known known = report.known();
        if (known != null) {
            out.printf("the store told the backlog (%,d queued jobs reported in %.0f s, %,.0f events/s): %.0f looks after it, mean %s s, "
                            + "%,.0f entries read each; the requeued job listed lost: %s (must be no)%n", known.reported(),
                    known.reportSeconds(), known.reported() / known.reportSeconds(), known.looks().count(), ms(known.looks().meanSeconds()),
                    known.looks().entriesRead(), known.requeuedListedLost() ? "YES" : "no");
        }
        long named = report.supervisorConnections().values().stream().filter(RedisWatch.SUPERVISOR_NAME::equals).count();
        out.printf("the supervisor's connections seen in CLIENT LIST: %d, named %s: %d%n", report.supervisorConnections().size(),
                RedisWatch.SUPERVISOR_NAME, named);
        out.printf("targets with the backlog: requests within %.1fx of no backlog: %d of %d met; no supervisor command in SLOWLOG "
                        + "at %d ms: %s (%d)%n", BacklogBenchmark.TARGET_RATIO, met, empty.timings().size(), RedisWatch.SLOWLOG_MICROS / 1000,
                backlog.supervisorSlow() == 0 ? "met" : "NOT MET", backlog.supervisorSlow());
    }

    private static String perMinute(Dashboard dashboard) {
        Map<String, Long> sorted = new LinkedHashMap<>();
        dashboard.commands().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
        return sorted.isEmpty() ? "none" : sorted.entrySet().stream()
                .map(entry -> entry.getKey() + " " + count(entry.getValue() * 60 / dashboard.seconds()))
                .collect(Collectors.joining(", "));
    }
}
