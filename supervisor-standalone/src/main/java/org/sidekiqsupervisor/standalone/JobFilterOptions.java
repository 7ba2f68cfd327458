package org.sidekiqsupervisor.standalone;

import picocli.CommandLine.Option;

/** Which jobs a console command looks at: the same three filters as the HTTP API's {@code filter}, {@code job_class}, {@code queue}. */
final class JobFilterOptions {
    @Option(names = "--filter", paramLabel = "TEXT", description = "only jobs whose arguments contain this text, taken literally")
    String filter;

    @Option(names = "--class", paramLabel = "CLASS", description = "only jobs of this class")
    String jobClass;

    @Option(names = "--queue", paramLabel = "QUEUE", description = "only jobs on this queue")
    String queue;
}
