package org.sidekiqsupervisor.store.jdbi;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.h2.engine.Session;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.sidekiqsupervisor.internal.Failures;
import org.sidekiqsupervisor.store.StoreException;

/**
 * Gives back the disk space of an H2 file store after retention deleted many jobs.
 *
 * <p>Why it is needed. H2's MVStore never overwrites data in place: every commit appends a chunk with the pages it
 * changed, and a chunk's space is reused only once none of its pages is live and it is older than the store's
 * retention time (45 s, so that a chunk still needed after a power cut is not overwritten before the newer ones reach
 * the disk; {@code FileStore.dropUnusedChunks}, called from {@code MVStore.store} on every commit). Rewriting chunks
 * that are only partly live, and moving chunks towards the start so the file can be truncated, is done by the
 * MVStore background thread ({@code RandomAccessStore.doHousekeeping}); the supervisor opens H2 with
 * {@code WRITE_DELAY=0} so that every commit reaches the file before it is acknowledged, and with a delay of 0 that
 * thread is never started ({@code FileStore.setAutoCommitDelay}). A retention prune deletes in bursts that write
 * several times the jobs' own size (each batch rewrites the leaf pages of eight trees and the undo log): measured,
 * 9,500 jobs pruned wrote 90 MB, all of it dead within seconds but not reusable for 45 s, so the file grew to the
 * burst's size and then stayed there.
 *
 * <p>What this does, from the maintenance thread after a prune: {@code MVStore.compactFile(ms)}, which rewrites
 * chunks that are less than 90% live, then moves chunks down into free space and truncates the file, stopping once
 * the time given has passed ({@code RandomAccessStore.compactStore}: {@code compact}, {@code sync},
 * {@code compactMoveChunks}, {@code shrinkStoreIfPossible}). Measured on 10,000 jobs of which 9,500 were pruned: the
 * file went from 16 MB to 108 MB with the prune and back to 38 MB in about a second (the rest is chunks that died in
 * the compaction's own last writes: the store drops a chunk only two stored versions after it died, and then the
 * ordinary commits reuse its space once it is 45 s old). It runs under the store lock, so a commit waits for it
 * (bounded by that time): nothing acknowledged is lost, an ingest request is only slower. A chunk's space is
 * overwritten only after a sync (fsync) of the chunks that replace it, and on open H2 falls back to the newest complete
 * chunk whose chunks are all intact, so a process killed during it opens at its last commit. {@code compactFile} sets
 * the retention time to 0 and leaves it there; it is put back after, so that outside the compaction a power cut
 * cannot find a live chunk overwritten.
 *
 * <p>PostgreSQL needs nothing of this: autovacuum marks deleted rows' space free and later inserts reuse it.
 */
final class H2FileSpace {
    /**
     * How fast {@code SHUTDOWN COMPACT} copies live data, as measured here (17 MB in 1.7 s, of a 97 MB file, on two
     * shared cores): by it {@link #compactOnClose} judges whether the copy fits the time allowed.
     */
    static final long COPY_BYTES_PER_SECOND = 10L << 20;

    private H2FileSpace() {
    }

    /**
     * Compacts the H2 file behind {@code dataSource} for at most about {@code maxTime}. Only an H2 database in a file
     * of this JVM has one: in memory, over TCP (its server owns the file) and PostgreSQL are left alone.
     *
     * @return the file's size in bytes before and after, or null when the store is no H2 file
     */
    static long[] compact(DataSource dataSource, Duration maxTime) {
        try (Connection connection = dataSource.getConnection()) {
            MVStore store = fileStore(connection);
            if (store == null) {
                return null;
            }
            FileStore<?> file = store.getFileStore();
            long before = file.size();
            int retention = store.getRetentionTime();
            try {
                store.compactFile((int) Math.min(Integer.MAX_VALUE, maxTime.toMillis()));
            } finally {
                store.setRetentionTime(retention);
            }
            return new long[] {before, file.size()};
        } catch (SQLException e) {
            throw new StoreException("could not compact the store: " + Failures.rootMessage(e), e);
        }
    }

    /**
     * Before the store closes: rewrites the H2 file with only its live data ({@code SHUTDOWN COMPACT}: H2 copies what is
     * live into a new file, then puts it in place of the old one, and closes the database), when less than 80 % of what
     * the file's chunks hold counts as live (H2's own count, which runs high: a file it counted 48 % live shrank to 17 %
     * of its size) and copying that should take at most {@code maxTime} (judged at {@link #COPY_BYTES_PER_SECOND}).
     * What {@link #compact} cannot give back (chunks that keep a few live pages each, which H2's online compaction did
     * not rewrite in our measurements) this does: 60,000 jobs, 57,000 of them then pruned and as many ingested again,
     * left a 1.96 GB file, and 19.5 MB after it (1.8 s).
     *
     * @return what it did or why not, for the log; null when the store is no H2 file of this JVM (nothing to say)
     */
    static String compactOnClose(DataSource dataSource, Duration maxTime) {
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            MVStore store = fileStore(connection);
            if (store == null) {
                return null;
            }
            // SHUTDOWN closes the database for every session: not under another user of it in this JVM.
            int pooled = dataSource instanceof HikariDataSource pool && pool.getHikariPoolMXBean() != null
                    ? pool.getHikariPoolMXBean().getTotalConnections() : 1;
            try (Statement statement = connection.createStatement();
                 ResultSet sessions = statement.executeQuery("select count(*) from information_schema.sessions")) {
                if (sessions.next() && sessions.getInt(1) > pooled) {
                    return "the H2 file has other sessions open: not compacted on close";
                }
            }
            long size = store.getFileStore().size();
            int live = store.getFileStore().getChunksFillRate();
            long liveBytes = size / 100 * live;
            if (live >= 80) {
                return String.format("the H2 file (%,d MB) is %d %% live: not compacted", size >> 20, live);
            }
            if (liveBytes > maxTime.toSeconds() * COPY_BYTES_PER_SECOND) {
                return String.format("the H2 file (%,d MB) is %d %% live, but copying what is live would take about %d s, more than the "
                        + "%d s allowed on close: not compacted (it reuses its free space as it is written to)", size >> 20, live,
                        liveBytes / COPY_BYTES_PER_SECOND, maxTime.toSeconds());
            }
            long started = System.nanoTime();
            connection.createStatement().execute("shutdown compact");
            return String.format("compacted the H2 file on close, %,d MB (%d %% live) to what is live, in %.1f s", size >> 20, live,
                    (System.nanoTime() - started) / 1e9);
        } catch (SQLException e) {
            return "the H2 file could not be compacted on close (it opens as it was): " + Failures.rootMessage(e);
        } finally {
            closeAfterShutdown(connection);
        }
    }

    /** Closes {@code connection}, which a SHUTDOWN may have closed already (the database went with it). */
    private static void closeAfterShutdown(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException closedByTheShutdown) {
            // Nothing is left to close.
        }
    }

    /** The file store behind {@code connection}, or null when it is no writable H2 file of this JVM. */
    private static MVStore fileStore(Connection connection) throws SQLException {
        if (!connection.isWrapperFor(JdbcConnection.class)) {
            return null;
        }
        Session session = connection.unwrap(JdbcConnection.class).getSession();
        if (!(session instanceof SessionLocal local) || !local.getDatabase().isPersistent()) {
            return null;
        }
        MVStore store = local.getDatabase().getStore().getMvStore();
        FileStore<?> file = store.getFileStore();
        return file == null || file.isReadOnly() ? null : store;
    }
}
