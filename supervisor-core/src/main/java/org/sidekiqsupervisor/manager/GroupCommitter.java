package org.sidekiqsupervisor.manager;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.store.JobStore;
import org.sidekiqsupervisor.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: events from concurrent callers are written together, one transaction per batch, and each caller
 * returns only once the batch holding its events has committed — nothing is acknowledged before it is durable.
 *
 * <p>Under light load a batch is one caller's events and costs one commit, as without grouping; under heavy
 * load many callers share a commit (and its fsync). Writers take whatever is waiting, up to
 * {@value #MAX_BATCH_EVENTS} events; they never wait for a batch to fill. If a shared batch fails, each
 * caller's events are tried again alone, so one caller's trouble is not another's — unless the database cannot
 * be reached: then every caller in the batch is told at once, and for {@link #UNREACHABLE_BACKOFF} after such a
 * failure waiting batches are refused without trying (a caller gets its 503 in one connection timeout, instead
 * of queueing behind every other caller's). Thread-safe.
 */
final class GroupCommitter implements AutoCloseable {
    static final int MAX_BATCH_EVENTS = 500;
    private static final long RESULT_TIMEOUT_SECONDS = 60;
    /** After the database was found unreachable, how long batches are refused without trying. */
    static final java.time.Duration UNREACHABLE_BACKOFF = java.time.Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    private record Pending(List<JobEvent> events, CompletableFuture<List<RecordResult>> result) {
    }

    private final JobStore store;
    private final Clock clock;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(10_000);
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean closed;
    /** The last "database unreachable" failure and until when (System.nanoTime) batches are refused with it. */
    private volatile StoreException unreachable;
    private volatile long unreachableUntilNanos;

    GroupCommitter(JobStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        // As many writers as the store commits at once (JobStore#concurrentWriters); at least one.
        for (int i = 0; i < Math.max(1, store.concurrentWriters()); i++) {
            Thread writer = new Thread(this::write, "supervisor-group-commit-" + i);
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
    }

    /** Records the events and returns once they are committed. */
    List<RecordResult> record(List<JobEvent> events) {
        if (closed) {
            throw new StoreException("the supervisor is shutting down; the events were not recorded", null);
        }
        Pending pending = new Pending(events, new CompletableFuture<>());
        try {
            queue.put(pending);
            return pending.result().get(RESULT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the store", e);
        } catch (TimeoutException e) {
            throw new StoreException("the store did not commit within " + RESULT_TIMEOUT_SECONDS + " s", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new StoreException("recording failed: " + e.getCause(), e.getCause());
        }
    }

    private void write() {
        List<Pending> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                int events = first.events().size();
                Pending next;
                while (events < MAX_BATCH_EVENTS && (next = queue.peek()) != null
                        && events + next.events().size() <= MAX_BATCH_EVENTS && queue.remove(next)) {
                    batch.add(next);
                    events += next.events().size();
                }
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        StoreException down = unreachable;
        if (down != null && System.nanoTime() - unreachableUntilNanos < 0) {
            batch.forEach(pending -> pending.result().completeExceptionally(down));
            return;
        }
        Instant now = clock.instant();
        if (batch.size() == 1) {
            commitAlone(batch.get(0), now);
            return;
        }
        List<JobEvent> all = new ArrayList<>();
        batch.forEach(pending -> all.addAll(pending.events()));
        List<RecordResult> results;
        try {
            results = store.record(all, now);
        } catch (StoreException e) {
            if (e.databaseUnreachable()) {
                markUnreachable(e);
                batch.forEach(pending -> pending.result().completeExceptionally(e));
                return;
            }
            LOG.debug("a shared batch of {} callers failed; trying each alone", batch.size(), e);
            batch.forEach(pending -> commitAlone(pending, now));
            return;
        } catch (RuntimeException e) {
            LOG.debug("a shared batch of {} callers failed; trying each alone", batch.size(), e);
            batch.forEach(pending -> commitAlone(pending, now));
            return;
        }
        int from = 0;
        for (Pending pending : batch) {
            int to = from + pending.events().size();
            pending.result().complete(List.copyOf(results.subList(from, to)));
            from = to;
        }
    }

    private void commitAlone(Pending pending, Instant now) {
        try {
            pending.result().complete(store.record(pending.events(), now));
        } catch (StoreException e) {
            if (e.databaseUnreachable()) {
                markUnreachable(e);
            }
            pending.result().completeExceptionally(e);
        } catch (RuntimeException e) {
            pending.result().completeExceptionally(e);
        }
    }

    private void markUnreachable(StoreException e) {
        unreachable = e;
        unreachableUntilNanos = System.nanoTime() + UNREACHABLE_BACKOFF.toNanos();
    }

    /** Lets writers finish what is queued, then stops them; anything queued after that is refused, not left waiting. */
    @Override
    public void close() {
        closed = true;
        for (Thread writer : writers) {
            try {
                writer.join(TimeUnit.SECONDS.toMillis(RESULT_TIMEOUT_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Pending late;
        while ((late = queue.poll()) != null) {
            late.result().completeExceptionally(
                    new StoreException("the supervisor is shutting down; the events were not recorded", null));
        }
    }
}
