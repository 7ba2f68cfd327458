package org.sidekiqsupervisor.standalone;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;

/**
 * An H2 file store of 1,100 jobs from an hour ago, and the console commands run in this JVM as a user runs them.
 * Jobs {@code job0} to {@code job1099}, Mailer (even) and ReportBuilder (odd), arguments {@code ["user-<n>"]}; each
 * was queued and started, and all but every tenth completed, Mailers in 50 ms and ReportBuilders in 2 s.
 */
final class ConsoleFixture {
    private static final Instant T0 = Instant.now().minusSeconds(3600);

    private final String url;

    /** What a command printed, and its exit code. */
    record Run(int code, String out, String err) {
    }

    private ConsoleFixture(String url) {
        this.url = url;
    }

    /** Records the jobs into a new store in {@code dir}. */
    static ConsoleFixture create(Path dir) {
        String url = "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath();
        try (Supervisor supervisor = Supervisor.builder().databaseUrl(url).build()) {
            List<JobEvent> events = new ArrayList<>();
            for (int i = 0; i < 1100; i++) {
                String id = "job" + i;
                String jobClass = i % 2 == 0 ? "Mailer" : "ReportBuilder";
                events.add(new JobEvent(id, JobStatus.QUEUED, T0.plusSeconds(i), jobClass, "default", "[\"user-" + i + "\"]", null, null,
                        null));
                events.add(new JobEvent(id, JobStatus.STARTED, T0.plusSeconds(i).plusMillis(100), null, null, null, null, null, null));
                if (i % 10 != 0) {
                    events.add(new JobEvent(id, JobStatus.COMPLETE, T0.plusSeconds(i).plusMillis(100 + (i % 2 == 0 ? 50 : 2000)), null,
                            null, null, null, null, null));
                }
            }
            for (int from = 0; from < events.size(); from += 500) {
                supervisor.jobManager().recordAll(events.subList(from, Math.min(events.size(), from + 500)));
            }
        }
        return new ConsoleFixture(url);
    }

    /**
     * Two looks at Sidekiq a grace period apart on this store, as a running server makes them: the console acts on the
     * lost jobs they find.
     */
    void looksAt(String redisUrl) {
        org.sidekiqsupervisor.testing.TestClock clock = new org.sidekiqsupervisor.testing.TestClock(Instant.now());
        try (Supervisor supervisor = Supervisor.builder().databaseUrl(url).redisUrl(redisUrl).clock(clock)
                .lostGrace(java.time.Duration.ofSeconds(60)).lookInterval(java.time.Duration.ZERO).build()) {
            supervisor.jobManager().lookAtSidekiq();
            clock.advance(java.time.Duration.ofSeconds(61));
            supervisor.jobManager().lookAtSidekiq();
        }
    }

    /** Runs the command line {@code args} exactly as given. */
    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Runs the command line {@code args} on this store: {@code --database-url} is added. */
    Run runOnStore(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--database-url", url));
        return run(all.toArray(String[]::new));
    }
}
