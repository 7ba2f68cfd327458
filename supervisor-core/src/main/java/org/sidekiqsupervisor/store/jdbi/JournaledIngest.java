package org.sidekiqsupervisor.store.jdbi;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.RecordResult;
import org.sidekiqsupervisor.store.IngestJournal;
import org.sidekiqsupervisor.store.StoreException;
import org.sidekiqsupervisor.store.jdbi.EventWriter.Folded;
import org.sidekiqsupervisor.store.jdbi.EventWriter.JobStates;
import org.sidekiqsupervisor.store.jdbi.JournalFile.Group;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * H2's write path with the ingest journal ({@link IngestJournal}): a group of events is folded in memory against the
 * jobs it touches, appended to the journal in one write and answered; a thread of its own applies the journal to the
 * store behind it, many groups in one transaction, so that each statement and each commit serves hundreds of events
 * instead of the handful that one round of acknowledged callers brings.
 *
 * <p>What keeps the answers and the store the same: the jobs with events not yet applied are held in memory (with the
 * events each has recorded) until they are, so a fold never reads a job the journal has changed; a job not held is read
 * from the store, which then has all of it. Every read of the store waits until what was acknowledged before it is
 * applied ({@link #awaitApplied}); every other write also holds off new groups while it runs and forgets the jobs it
 * may change ({@link #exclusive}). The store's own fold applies the events again (duplicates stay duplicates), so a
 * replay after a crash, which may apply a group twice, changes nothing.
 *
 * <p>Bounds: at most {@value #MAX_PENDING_EVENTS} events (or {@value #MAX_PENDING_CHARS} characters of them) wait to
 * be applied (a caller waits for room beyond that); at most {@value #MAX_HELD_JOBS} applied jobs are kept for the
 * folds. Thread-safe.
 */
final class JournaledIngest implements AutoCloseable {
    static final int MAX_PENDING_EVENTS = 20_000;
    static final long MAX_PENDING_CHARS = 32L << 20;
    static final int MAX_APPLY_EVENTS = 5_000;
    /**
     * A batch is applied once this many events wait, or once the oldest has waited {@link #APPLY_LINGER}, or at once
     * when a read waits for it: a statement and a commit then serve hundreds of events, not the few of one group.
     */
    static final int APPLY_EVENTS = 1_000;
    static final Duration APPLY_LINGER = Duration.ofMillis(50);
    static final int MAX_HELD_JOBS = 20_000;
    static final long SEGMENT_BYTES = 16L << 20;
    /** How long a read, or a caller waiting for room, waits for the journal to be applied before it is refused. */
    static final Duration WAIT_LIMIT = Duration.ofSeconds(30);
    /** How often at most the journal gives back what was applied (flushing the store first, under an fsync policy). */
    static final Duration RELEASE_INTERVAL = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(JournaledIngest.class);

    /** A job as the folds see it, the events it has recorded ({@code atUs + ' ' + status}) and its last group. */
    private record Held(Job job, Set<String> recorded, long seq, long chars) {
    }

    private final EventWriter writer;
    private final JournalFile file;
    private final IngestJournal sync;
    /** Flushes the store's own file to the disk (before the journal gives back what it applied). */
    private final Runnable syncStore;

    /** Held by the acknowledging path and by {@link #exclusive} writes. Guards {@link #held}. */
    private final Object ingest = new Object();
    private final LinkedHashMap<String, Held> held = new LinkedHashMap<>(1024, 0.75f, true);
    private long heldChars;

    /** Guards {@link #pending} and its counts; waited on for room and for progress. */
    private final Object progress = new Object();
    private final ArrayDeque<Group> pending = new ArrayDeque<>();
    /** When each of {@link #pending} was queued (System.nanoTime). */
    private final ArrayDeque<Long> queuedAt = new ArrayDeque<>();
    /** Reads (and exclusive writes) waiting for the journal to be applied: they cut the applier's linger short. */
    private int waiting;
    private int pendingEvents;
    private long pendingChars;
    private volatile long appendedSeq;
    private volatile long appliedSeq;
    private volatile boolean closed;
    /** Why the last batch could not be applied, while it still cannot. */
    private volatile RuntimeException applyFailure;
    private volatile long lastReleaseNanos = System.nanoTime();

    private final Thread applier;
    private final ScheduledExecutorService flusher;

    private JournaledIngest(EventWriter writer, JournalFile file, IngestJournal sync, Runnable syncStore) {
        this.writer = writer;
        this.file = file;
        this.sync = sync;
        this.syncStore = syncStore;
        this.applier = new Thread(this::applyLoop, "supervisor-journal-apply");
        applier.setDaemon(true);
        applier.start();
        if (sync == IngestJournal.EVERY_SECOND) {
            flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "supervisor-journal-flush");
                thread.setDaemon(true);
                return thread;
            });
            flusher.scheduleWithFixedDelay(this::flushQuietly, 1, 1, TimeUnit.SECONDS);
        } else {
            flusher = null;
        }
    }

    /**
     * Opens the journal in {@code directory}, applies what a previous run left in it (a crash's acknowledged events),
     * and starts applying behind new groups.
     *
     * @param syncStore flushes the store's file to the disk
     */
    static JournaledIngest open(EventWriter writer, Path directory, IngestJournal sync, Runnable syncStore, long segmentBytes) {
        if (sync == IngestJournal.OFF) {
            throw new IllegalArgumentException("no journal to open when it is off");
        }
        JournalFile file = JournalFile.open(directory, segmentBytes, sync != IngestJournal.NO_FSYNC);
        try {
            replay(writer, file);
            syncStore.run();
            file.deleteAll();
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
        return new JournaledIngest(writer, file, sync, syncStore);
    }

    private static void replay(EventWriter writer, JournalFile file) {
        List<Group> batch = new ArrayList<>();
        long[] counts = new long[3];
        file.replay(group -> {
            batch.add(group);
            counts[2] += group.events().size();
            if (counts[2] >= MAX_APPLY_EVENTS) {
                write(writer, batch, null);
                counts[0] += counts[2];
                counts[1] += batch.size();
                counts[2] = 0;
                batch.clear();
            }
        });
        if (!batch.isEmpty()) {
            write(writer, batch, null);
            counts[0] += counts[2];
            counts[1] += batch.size();
        }
        if (counts[1] > 0) {
            LOG.info("applied {} events in {} groups from the ingest journal in {} (acknowledged before the last stop, "
                    + "some perhaps applied already: those are duplicates)", counts[0], counts[1], file.directory());
        }
    }

    /**
     * Folds, appends and acknowledges one group: returns each event's result once the group is in the journal (and,
     * with {@link IngestJournal#ALWAYS}, on the disk).
     */
    List<RecordResult> record(List<JobEvent> events, Instant receivedAt) {
        if (events.isEmpty()) {
            return List.of();
        }
        synchronized (ingest) {
            if (closed) {
                throw new StoreException("the store is closing; the events were not recorded", null);
            }
            long chars = 0;
            for (JobEvent event : events) {
                chars += weight(event);
            }
            awaitRoom(events.size(), chars);
            // The jobs as they stand: held, or read (a job not held has nothing waiting in the journal).
            Set<String> ids = new HashSet<>();
            events.forEach(event -> ids.add(event.jobId()));
            List<String> missing = ids.stream().filter(id -> !held.containsKey(id)).toList();
            JobStates states = missing.isEmpty() ? new JobStates(new HashMap<>(), new HashSet<>()) : writer.states(missing);
            Map<String, Set<String>> recordedById = new HashMap<>();
            for (String key : states.recorded()) {
                int split = key.indexOf('\u0000');
                recordedById.computeIfAbsent(key.substring(0, split), id -> new HashSet<>()).add(key.substring(split + 1));
            }
            for (String id : ids) {
                Held job = held.get(id);
                if (job != null) {
                    states.jobs().put(id, job.job());
                    for (String key : job.recorded()) {
                        states.recorded().add(id + '\u0000' + key);
                    }
                    recordedById.put(id, new HashSet<>(job.recorded()));
                }
            }
            Folded folded = EventWriter.fold(states, events, Collections.nCopies(events.size(), receivedAt), null, null);
            long seq = appendedSeq + 1;
            Group group = new Group(seq, receivedAt, List.copyOf(events));
            try {
                file.append(group, JournalFaults.midAppend());
                if (sync == IngestJournal.ALWAYS) {
                    file.force();
                }
            } catch (IOException e) {
                throw new StoreException("the ingest journal could not be written: " + e.getMessage(), e);
            }
            JournalFaults.at(JournalFaults.Step.APPENDED);
            Set<String> changed = new HashSet<>();
            for (EventWriter.EventRow row : folded.newEvents()) {
                recordedById.computeIfAbsent(row.jobId(), id -> new HashSet<>()).add(row.atUs() + " " + row.status());
                changed.add(row.jobId());
            }
            for (String id : ids) {
                Job job = states.jobs().get(id);
                if (job == null) {
                    continue;
                }
                Held before = held.get(id);
                long jobSeq = changed.contains(id) ? seq : before == null ? 0 : before.seq();
                hold(new Held(job, recordedById.getOrDefault(id, Set.of()), jobSeq, weight(job)));
            }
            synchronized (progress) {
                boolean wakeApplier = pending.isEmpty() || pendingEvents < APPLY_EVENTS && pendingEvents + events.size() >= APPLY_EVENTS;
                pending.addLast(group);
                queuedAt.addLast(System.nanoTime());
                pendingEvents += events.size();
                pendingChars += chars;
                appendedSeq = seq;
                if (wakeApplier) {
                    progress.notifyAll();
                }
            }
            trimHeld();
            return folded.results();
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

    /**
     * Runs a write other than the events (progress, a restart) once everything acknowledged is applied, with new groups
     * held off until it is done; then forgets the jobs it may have changed, so that the next fold reads them.
     *
     * @param jobIds  the jobs it may change
     * @param deletes whether it deletes jobs (a restart's original): see {@link #deleting}
     */
    <T> T exclusive(Collection<String> jobIds, boolean deletes, Supplier<T> write) {
        synchronized (ingest) {
            awaitApplied();
            if (deletes) {
                release(appliedSeq);
            }
            try {
                return write.get();
            } finally {
                forget(jobIds);
            }
        }
    }

    /**
     * Runs a deletion (a delete on a filter, retention's prune: many jobs, in many transactions) once everything
     * acknowledged is applied and the journal has given all of it back, so that a start after a crash cannot apply a
     * deleted job's events again and bring it back; then forgets the jobs it deleted. New groups are not held off while
     * it runs (it may take long): one that arrives meanwhile for a job being deleted is answered as the job stood
     * before, and the store applies it as it then finds the job (an event right after a delete brings its job back).
     *
     * @param jobIds the jobs it may delete, or null for any
     */
    <T> T deleting(Collection<String> jobIds, Supplier<T> write) {
        synchronized (ingest) {
            awaitApplied();
            release(appliedSeq);
        }
        try {
            return write.get();
        } finally {
            synchronized (ingest) {
                forget(jobIds);
            }
        }
    }

    /** Forgets held jobs (null: every one), so that the next fold reads them; under {@link #ingest}. */
    private void forget(Collection<String> jobIds) {
        if (jobIds == null) {
            held.clear();
            heldChars = 0;
            return;
        }
        for (String id : jobIds) {
            Held gone = held.remove(id);
            if (gone != null) {
                heldChars -= gone.chars();
            }
        }
    }

    /** Events acknowledged and not yet applied. */
    int pendingEvents() {
        synchronized (progress) {
            return pendingEvents;
        }
    }

    private void hold(Held job) {
        Held before = held.put(job.job().jobId(), job);
        heldChars += job.chars() - (before == null ? 0 : before.chars());
    }

    /** Forgets the least recently used applied jobs beyond the bounds (a job with events waiting is kept). */
    private void trimHeld() {
        if (held.size() <= MAX_HELD_JOBS && heldChars <= MAX_PENDING_CHARS) {
            return;
        }
        long applied = appliedSeq;
        Iterator<Held> eldest = held.values().iterator();
        int looked = 0;
        while ((held.size() > MAX_HELD_JOBS || heldChars > MAX_PENDING_CHARS) && eldest.hasNext() && looked++ < 256) {
            Held job = eldest.next();
            if (job.seq() <= applied) {
                eldest.remove();
                heldChars -= job.chars();
            }
        }
    }

    private void awaitRoom(int events, long chars) {
        long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
        synchronized (progress) {
            while (pendingEvents > 0 && (pendingEvents + events > MAX_PENDING_EVENTS || pendingChars + chars > MAX_PENDING_CHARS)) {
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

    // ---- applying ----

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
                    for (JobEvent event : group.events()) {
                        pendingChars -= weight(event);
                    }
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
    private static void write(EventWriter writer, List<Group> batch, Runnable beforeCommit) {
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

    private void flushQuietly() {
        try {
            file.force();
        } catch (IOException | RuntimeException e) {
            LOG.warn("flushing the ingest journal to the disk failed", e);
        }
    }

    /** Bytes the journal takes on the disk. */
    long bytes() {
        return file.bytes();
    }

    /**
     * Stops taking groups, applies what is waiting (for as long as the store takes, up to {@link #WAIT_LIMIT} when it
     * cannot be reached: what is left stays in the journal for the next start) and closes the journal.
     */
    @Override
    public void close() {
        synchronized (ingest) {
            closed = true;
        }
        synchronized (progress) {
            progress.notifyAll();
        }
        try {
            applier.join(WAIT_LIMIT.toMillis() * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (flusher != null) {
            flusher.shutdown();
        }
        int left = pendingEvents();
        if (left == 0) {
            release(appliedSeq);
        } else {
            flushQuietly();
            LOG.warn("{} acknowledged events stay in the ingest journal {}; the next start applies them", left, file.directory());
        }
        file.close();
    }

    private static long weight(JobEvent event) {
        return 100 + length(event.arguments()) + length(event.payload()) + length(event.errorMessage());
    }

    private static long weight(Job job) {
        return 200 + length(job.arguments()) + length(job.payload()) + length(job.errorMessage());
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    private static void waitOn(Object monitor, long nanos) {
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
