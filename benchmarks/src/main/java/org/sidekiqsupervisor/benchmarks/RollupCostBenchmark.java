package org.sidekiqsupervisor.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.store.JobStore;
import org.sidekiqsupervisor.store.jdbi.WritePathBaseline;
import org.sidekiqsupervisor.testing.PostgresDatabase;

/**
 * What the overview's rollups cost the write path: the same batches written by a store that adds them to the rollups
 * and by one that does not (the write path as before the rollups), in the same run, rounds alternated so that both
 * see the same warm-up and the same growth of their tables. One writer, each batch of {@value #BATCH} events in its own
 * transaction and received now (so consecutive batches add to the same minute's rollup rows, as live ingest does), no
 * ingest journal: what is timed is the store's transactions, where the rollups are written, and the folding of the
 * pending rows into the rollups (V19), which a running store does on its own thread every second and these
 * stores do only when told: in the timed loop, as often, and at the end of each round. So the figure is all the rollups
 * cost, on the same cores.
 */
final class RollupCostBenchmark {
    static final int BATCH = 990;
    /** Rounds before the measured ones, alternated too: the JIT and the tables' first pages. */
    private static final int WARM_ROUNDS = 2;

    private final int rounds;
    private final int batchesPerRound;
    private final PrintStream out;

    /** One store's two figures, in events a second, and their ratio. */
    record Result(String store, double withRollups, double without) {
        double ratio() {
            return withRollups / without;
        }
    }

    /**
     * @param events events written by each store, measured (rounded up to whole rounds of {@code batchesPerRound}
     *               batches), after {@value #WARM_ROUNDS} rounds of warm-up each
     */
    RollupCostBenchmark(long events, int batchesPerRound, PrintStream out) {
        if (events < 1 || batchesPerRound < 1) {
            throw new IllegalArgumentException("events and batches per round must be at least 1");
        }
        this.batchesPerRound = batchesPerRound;
        this.rounds = (int) Math.max(2, (events + (long) BATCH * batchesPerRound - 1) / ((long) BATCH * batchesPerRound));
        this.out = out;
    }

    List<Result> run(boolean postgres) throws IOException {
        out.printf("%nThe rollups' cost on the write path: %d rounds of %d batches of ~%d events, per store with and without the "
                + "rollups, rounds alternated, after %d warm-up rounds; one writer, a transaction a batch, no ingest journal; each round "
                + "with the rollups timed with the folding of its pending rows, every second as a running store folds them%n",
                rounds, batchesPerRound, BATCH, WARM_ROUNDS);
        out.printf("%-11s %18s %18s %9s%n", "store", "with rollups ev/s", "without ev/s", "ratio");
        List<Result> results = new ArrayList<>();
        Path dir = Files.createTempDirectory("supervisor-rollup-cost");
        try (HikariDataSource with = h2(dir.resolve("with")); HikariDataSource without = h2(dir.resolve("without"))) {
            results.add(print(measure("H2 file", with, without)));
        } finally {
            QueryBenchmark.deleteTree(dir);
        }
        if (postgres) {
            try (PostgresDatabase with = PostgresDatabase.create(); PostgresDatabase without = PostgresDatabase.create()) {
                results.add(print(measure("PostgreSQL", with.dataSource(), without.dataSource())));
            }
        }
        out.println("(target: with the rollups at least 0.95x the events a second without them)");
        return results;
    }

    private static HikariDataSource h2(Path file) {
        HikariConfig config = new HikariConfig();
        // WRITE_DELAY=0: each commit reaches the file before it returns, as the supervisor opens an H2 file.
        config.setJdbcUrl("jdbc:h2:file:" + file + ";WRITE_DELAY=0");
        config.setMaximumPoolSize(2);
        return new HikariDataSource(config);
    }

    private Result print(Result result) {
        out.printf("%-11s %18.0f %18.0f %8.3fx%n", result.store(), result.withRollups(), result.without(), result.ratio());
        return result;
    }

    private Result measure(String store, javax.sql.DataSource withRollups, javax.sql.DataSource withoutRollups) {
        JobStore with = WritePathBaseline.open(withRollups, true);
        JobStore without = WritePathBaseline.open(withoutRollups, false);
        try {
            long[] nanos = new long[2];
            long[] events = new long[2];
            int nextJob = 0;
            for (int round = 0; round < WARM_ROUNDS + rounds; round++) {
                // The same jobs go to both stores; which goes first changes every round.
                List<List<JobEvent>> batches = new ArrayList<>();
                for (int b = 0; b < batchesPerRound; b++) {
                    List<JobEvent> batch = new ArrayList<>(BATCH + 3);
                    while (batch.size() < BATCH) {
                        batch.addAll(QueryBenchmark.jobLife(nextJob++));
                    }
                    batches.add(batch);
                }
                for (int turn = 0; turn < 2; turn++) {
                    int which = (round + turn) % 2;
                    JobStore target = which == 0 ? with : without;
                    long started = System.nanoTime();
                    long written = 0;
                    long folded = started;
                    for (List<JobEvent> batch : batches) {
                        target.record(batch, Instant.now());
                        written += batch.size();
                        // Timed with the writes that made them: folding the pending rows into the rollups as often as
                        // a running store's own thread does (the baseline has none, and only looks).
                        if (System.nanoTime() - folded >= WritePathBaseline.FOLD_INTERVAL.toNanos()) {
                            WritePathBaseline.foldPending(target);
                            folded = System.nanoTime();
                        }
                    }
                    WritePathBaseline.foldPending(target);
                    if (round >= WARM_ROUNDS) {
                        nanos[which] += System.nanoTime() - started;
                        events[which] += written;
                    }
                }
            }
            return new Result(store, events[0] / (nanos[0] / 1e9), events[1] / (nanos[1] / 1e9));
        } finally {
            with.close();
            without.close();
        }
    }
}
