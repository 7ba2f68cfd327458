package org.sidekiqsupervisor.store.jdbi;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.store.IngestJournal;
import org.sidekiqsupervisor.store.StoreException;
import org.sidekiqsupervisor.store.jdbi.JournalFile.Group;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest journal's backlog and the thread that applies it to the store ({@link JournaledIngest} acknowledges):
 * groups wait here in the order they were appended; once {@value #APPLY_EVENTS} events wait, or the oldest has waited
 * {@link #APPLY_LINGER}, or a read waits for them, up to {@value #MAX_APPLY_EVENTS} are applied in one transaction, so
 * that a statement and a commit serve hundreds of events instead of the few of one group. Then the journal gives back
 * what the store holds. At most {@value #MAX_PENDING_EVENTS} events (or {@value #MAX_PENDING_CHARS} characters of them)
 * wait; a caller waits for room beyond that. Thread-safe.
 */
final class JournalApplier {
    static final int MAX_PENDING_EVENTS = 20_000;
    static final long MAX_PENDING_CHARS = 32L << 20;
    /**
     * Not more: a transaction of about 5,000 events made H2 write twice the bytes for the same jobs (the changed pages
     * outgrow what it holds in memory until the commit, and are written more than once), and the file grew with them:
     * 200,000 jobs loaded in batches of 990 events left a 521 MB file at up to 5,000 events a transaction, 251 MB at
     * 1,000 (a group bigger than this is still applied whole, in a transaction of its own).
     */
    static final int MAX_APPLY_EVENTS = 1_000;
    static final int APPLY_EVENTS = 1_000;
    static final Duration APPLY_LINGER = Duration.ofMillis(50);
    /** How long a read, or a caller waiting for room, waits for the journal to be applied before it is refused. */
    static final Duration WAIT_LIMIT = Duration.ofSeconds(30);
    /** How often at most the journal gives back what was applied (flushing the store first, under an fsync policy). */
    static final Duration RELEASE_INTERVAL = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(JournalApplier.class);

    private final EventWriter writer;
    private final JournalFile file;
    private final IngestJournal sync;
    /** Flushes the store's own file to the disk (before the journal gives back what it applied). */
    private final Runnable syncStore;

    /** Guards the backlog and its counts; waited on for room and for progress. */
    private final Object progress = new Object();
    private final ArrayDeque<Group> pending = new ArrayDeque<>();
    /** When each of {@link #pending} was queued (System.nanoTime). */
    private final ArrayDeque<Long> queuedAt = new ArrayDeque<>();
    /** Reads (and exclusive writes) waiting for the journal to be applied: they cut the linger short. */
    private int waiting;
    private int pendingEvents;
    private long pendingChars;
    private volatile long appendedSeq;
    private volatile long appliedSeq;
    private volatile boolean closed;
    /** Why the last batch could not be applied, while it still cannot. */
    private volatile RuntimeException applyFailure;
    private volatile long lastReleaseNanos = System.nanoTime();
    private final Thread thread;

    JournalApplier(EventWriter writer, JournalFile file, IngestJournal sync, Runnable syncStore) {
        this.writer = writer;
        this.file = file;
        this.sync = sync;
        this.syncStore = syncStore;
        this.thread = new Thread(this::applyLoop, "supervisor-journal-apply");
        thread.setDaemon(true);
        thread.start();
    }

    /** The last group appended (0 before the first). */
    long appendedSeq() {
        return appendedSeq;
    }

    /** The last group applied to the store. */
    long appliedSeq() {
        return appliedSeq;
    }

    /** Queues a group just appended to the journal, to be applied. */
    void queue(Group group) {
        synchronized (progress) {
            int events = group.events().size();
            boolean wake = pending.isEmpty() || pendingEvents < APPLY_EVENTS && pendingEvents + events >= APPLY_EVENTS;
            pending.addLast(group);
            queuedAt.addLast(System.nanoTime());
            pendingEvents += events;
            pendingChars += weight(group.events());
            appendedSeq = group.seq();
            if (wake) {
                progress.notifyAll();
            }
        }
    }

    /** Waits until there is room in the backlog for {@code events}. */
    void awaitRoom(List<JobEvent> events) {
        long chars = weight(events);
        long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
        synchronized (progress) {
            while (pendingEvents > 0 && (pendingEvents + events.size() > MAX_PENDING_EVENTS || pendingChars + chars > MAX_PENDING_CHARS)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    RuntimeException failure = applyFailure;
                    throw new StoreException("the store is " + pendingEvents + " events behind the ingest journal"
                            + (failure == null ? "" : ": " + failure.getMessage()), failure);
                }
                waitOn(progress, left);
            }
        }
    }

    /**
     * Waits until every group acknowledged before this call is applied to the store: what a read then finds holds
     * all of it.
     *
     * @throws StoreException after {@link #WAIT_LIMIT}, when the store cannot keep up or refuses the journal
     */
    void awaitApplied() {
        long target = appendedSeq;
        if (appliedSeq >= target) {
            return;
        }
        long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
        synchronized (progress) {
            waiting++;
            progress.notifyAll();
            try {
                while (appliedSeq < target) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        RuntimeException failure = applyFailure;
                        throw new StoreException("the store has not applied the ingest journal's last " + (target - appliedSeq)
                                + " groups within " + WAIT_LIMIT.toSeconds() + " s" + (failure == null ? "" : ": "
                                + failure.getMessage()), failure);
                    }
                    waitOn(progress, left);
                }
            } finally {
                waiting--;
            }
        }
    }

    /** Events acknowledged and not yet applied. */
    int pendingEvents() {
        synchronized (progress) {
            return pendingEvents;
        }
    }

    /** Gives back all that is applied now (see {@link #release}). */
    void releaseApplied() {
        release(appliedSeq);
    }

    private void applyLoop() {
        while (true) {
            List<Group> batch = new ArrayList<>();
            synchronized (progress) {
                while (true) {
                    if (pending.isEmpty()) {
                        if (closed) {
                            return;
                        }
                        waitOn(progress, TimeUnit.SECONDS.toNanos(1));
                        continue;
                    }
                    long lingered = System.nanoTime() - queuedAt.peekFirst();
                    if (closed || waiting > 0 || pendingEvents >= APPLY_EVENTS || lingered >= APPLY_LINGER.toNanos()) {
                        break;
                    }
                    waitOn(progress, APPLY_LINGER.toNanos() - lingered);
                }
                int events = 0;
                for (Group group : pending) {
                    if (!batch.isEmpty() && events + group.events().size() > MAX_APPLY_EVENTS) {
                        break;
                    }
                    batch.add(group);
                    events += group.events().size();
                }
            }
            if (!apply(batch)) {
                return;
            }
            long applied = batch.get(batch.size() - 1).seq();
            boolean caughtUp;
            synchronized (progress) {
                for (Group group : batch) {
                    pending.pollFirst();
                    queuedAt.pollFirst();
                    pendingEvents -= group.events().size();
                    pendingChars -= weight(group.events());
                }
                appliedSeq = applied;
                caughtUp = pending.isEmpty();
                progress.notifyAll();
            }
            JournalFaults.at(JournalFaults.Step.APPLIED);
            if (caughtUp || System.nanoTime() - lastReleaseNanos >= RELEASE_INTERVAL.toNanos()) {
                release(applied);
            }
        }
    }

    /**
     * Applies a batch of groups in one transaction; when that fails for a reason other than an unreachable store, each
     * group alone, and a group the store still refuses is set aside in a file beside the journal (logged) rather than
     * lost. Returns false only when the journal closes while the store cannot be reached.
     */
    private boolean apply(List<Group> batch) {
        long backoffMs = 100;
        while (true) {
            try {
                write(batch);
                applyFailure = null;
                return true;
            } catch (StoreException e) {
                if (!e.databaseUnreachable()) {
                    applyAlone(batch);
                    return true;
                }
                applyFailure = e;
                LOG.warn("the store cannot be reached to apply {} acknowledged groups from the ingest journal; trying again",
                        batch.size(), e);
            } catch (RuntimeException e) {
                applyAlone(batch);
                return true;
            }
            if (closed) {
                return false;
            }
            sleep(backoffMs);
            backoffMs = Math.min(5_000, backoffMs * 2);
        }
    }

    private void applyAlone(List<Group> batch) {
        for (Group group : batch) {
            RuntimeException last = null;
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    write(List.of(group));
                    last = null;
                    break;
                } catch (RuntimeException e) {
                    last = e;
                }
            }
            if (last != null) {
                applyFailure = last;
                try {
                    Path aside = file.setAside(group);
                    LOG.error("the store refused {} acknowledged events of the ingest journal (group {}); they are kept in {}",
                            group.events().size(), group.seq(), aside, last);
                } catch (IOException e) {
                    LOG.error("the store refused {} acknowledged events of the ingest journal (group {}), and they could not "
                            + "be set aside: {}", group.events().size(), group.seq(), e.getMessage(), last);
                }
            }
        }
    }

    private void write(List<Group> batch) {
        write(writer, batch, () -> JournalFaults.at(JournalFaults.Step.APPLY_WRITTEN));
    }

    /** Applies groups to the store in one transaction, each event with its group's time of receipt. */
    static void write(EventWriter writer, List<Group> batch, Runnable beforeCommit) {
        List<JobEvent> events = new ArrayList<>();
        List<Instant> received = new ArrayList<>();
        for (Group group : batch) {
            events.addAll(group.events());
            received.addAll(Collections.nCopies(group.events().size(), group.receivedAt()));
        }
        writer.record(events, received, beforeCommit);
    }

    /** Gives back the journal's space up to {@code applied}, once the store's file holds it (under an fsync policy). */
    private void release(long applied) {
        lastReleaseNanos = System.nanoTime();
        try {
            if (sync != IngestJournal.NO_FSYNC) {
                syncStore.run();
            }
            file.releaseThrough(applied);
            JournalFaults.at(JournalFaults.Step.RELEASED);
        } catch (IOException | RuntimeException e) {
            LOG.warn("the ingest journal could not give back what was applied; it tries again after the next batch", e);
        }
    }

    /**
     * Stops once what waits is applied (for as long as the store takes, up to twice {@link #WAIT_LIMIT} when it cannot
     * be reached: what is left stays in the journal for the next start); gives back what was applied.
     *
     * @return the events left unapplied
     */
    int stop() {
        closed = true;
        synchronized (progress) {
            progress.notifyAll();
        }
        try {
            thread.join(WAIT_LIMIT.toMillis() * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = pendingEvents();
        if (left == 0) {
            release(appliedSeq);
        }
        return left;
    }

    private static long weight(List<JobEvent> events) {
        long chars = 0;
        for (JobEvent event : events) {
            chars += 100 + JournaledIngest.length(event.arguments()) + JournaledIngest.length(event.payload())
                    + JournaledIngest.length(event.errorMessage());
        }
        return chars;
    }

    static void waitOn(Object monitor, long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(monitor, Math.max(1, nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the ingest journal", e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
