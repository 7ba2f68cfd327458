package org.sidekiqsupervisor.standalone;

import java.time.Duration;
import java.util.concurrent.Callable;

import org.sidekiqsupervisor.Supervisor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code prune}: deletes finished jobs older than a number of days, in small batches. */
@Command(name = "prune", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Delete finished (complete and failed) jobs whose last event is older than --older-than-days, "
                + "with their histories, in small batches. Queued and started jobs are never deleted.")
final class PruneCommand implements Callable<Integer> {
    @Option(names = "--older-than-days", paramLabel = "DAYS", required = true, description = "age of the jobs to delete")
    int olderThanDays;

    @Option(names = "--dry-run", description = "only count what would be deleted")
    boolean dryRun;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (olderThanDays < 0) {
            throw new ParameterException(spec.commandLine(), "--older-than-days must be 0 or more (got " + olderThanDays + ")");
        }
        Duration age = Duration.ofDays(olderThanDays);
        try (Supervisor supervisor = database.applyTo(Supervisor.builder()).build()) {
            long count = dryRun ? supervisor.jobManager().maintenance().countPrunable(age) : supervisor.jobManager().maintenance().prune(age);
            if (json) {
                spec.commandLine().getOut().printf("{\"dry_run\":%s,\"%s\":%d,\"older_than_days\":%d}%n", dryRun,
                        dryRun ? "would_delete" : "deleted", count, olderThanDays);
            } else {
                spec.commandLine().getOut().printf("%s %d finished job(s) older than %d day(s)%n",
                        dryRun ? "would delete" : "deleted", count, olderThanDays);
            }
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
