package org.sidekiqsupervisor.store.jdbi;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.IngestJournal;
import org.sidekiqsupervisor.store.StoreSchema;

/**
 * The process {@link JournalCrashTest} kills: records jobs (queued, started, complete, one event a call, as the
 * original middlewares report them) into an H2 file with the ingest journal, printing each event before it is sent and
 * once it is acknowledged, and halts (as SIGKILL: no shutdown hooks, nothing closed) the {@code n}-th time the journal
 * reaches {@code step}. Arguments: database file, step, n.
 */
public final class JournalCrashChild {
    /** The exit status of a halt at the step: SIGKILL's. */
    static final int HALTED = 137;
    static final Instant T0 = Instant.parse("2026-12-03T07:00:00Z");

    private JournalCrashChild() {
    }

    public static void main(String[] args) {
        String file = args[0];
        JournalFaults.Step step = JournalFaults.Step.valueOf(args[1]);
        int nth = Integer.parseInt(args[2]);
        PrintStream out = System.out;
        AtomicInteger reached = new AtomicInteger();
        JournalFaults.hook = at -> {
            if (at == step && reached.incrementAndGet() == nth) {
                out.flush();
                Runtime.getRuntime().halt(HALTED);
            }
        };
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:file:" + file + ";WRITE_DELAY=0");
        JdbiJobStore store = JdbiJobStore.open(pool, StoreSchema.DEFAULT, pool, IngestJournal.EVERY_SECOND);
        List<JobStatus> lifecycle = List.of(JobStatus.QUEUED, JobStatus.STARTED, JobStatus.COMPLETE);
        for (int job = 0; job < 200_000; job++) {
            for (int k = 0; k < lifecycle.size(); k++) {
                JobStatus status = lifecycle.get(k);
                Instant at = T0.plusMillis(job * 10L + k);
                String jobId = "crash-" + job;
                out.println("sending " + jobId + " " + status.wireName() + " " + at);
                store.record(List.of(new JobEvent(jobId, status, at, "CrashJob", "default",
                        status == JobStatus.QUEUED ? "[" + job + "]" : null, null, null, null)), Instant.now());
                out.println("acked " + jobId + " " + status.wireName() + " " + at);
            }
            out.flush();
        }
        // The step was never reached: the test fails on this exit status.
        store.close();
        System.exit(3);
    }
}
