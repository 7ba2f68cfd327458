package org.sidekiqsupervisor.store.jdbi;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
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
 * <p>{@link JournalApplier} holds the backlog and applies it. At most {@value #MAX_HELD_JOBS} applied jobs (or
 * {@value #MAX_HELD_CHARS} characters of them) are kept for the folds. Thread-safe.
 */
final class JournaledIngest implements AutoCloseable {
    static final int MAX_HELD_JOBS = 20_000;
    static final long MAX_HELD_CHARS = 32L << 20;
    static final long SEGMENT_BYTES = 16L << 20;
    private static final Logger LOG = LoggerFactory.getLogger(JournaledIngest.class);

    /** A job as the folds see it, the events it has recorded ({@code atUs + ' ' + status}) and its last group. */
    private record Held(Job job, Set<String> recorded, long seq, long chars) {
    }

    private final EventWriter writer;
    private final JournalFile file;
    private final IngestJournal sync;
    private final JournalApplier applier;

    /** Held by the acknowledging path and by {@link #exclusive} writes. Guards {@link #held}. */
    private final Object ingest = new Object();
    private final LinkedHashMap<String, Held> held = new LinkedHashMap<>(1024, 0.75f, true);
    private long heldChars;

    private volatile boolean closed;
    private final ScheduledExecutorService flusher;

    private JournaledIngest(EventWriter writer, JournalFile file, IngestJournal sync, Runnable syncStore) {
        this.writer = writer;
        this.file = file;
        this.sync = sync;
        this.applier = new JournalApplier(writer, file, sync, syncStore);
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
    static JournaledIngest open(EventWriter writer, Path directory, IngestJournal sync, Runnable syncStore) {
        if (sync == IngestJournal.OFF) {
            throw new IllegalArgumentException("no journal to open when it is off");
        }
        JournalFile file = JournalFile.open(directory, SEGMENT_BYTES, sync != IngestJournal.NO_FSYNC);
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
            if (counts[2] >= JournalApplier.MAX_APPLY_EVENTS) {
                JournalApplier.write(writer, batch, null);
                counts[0] += counts[2];
                counts[1] += batch.size();
                counts[2] = 0;
                batch.clear();
            }
        });
        if (!batch.isEmpty()) {
            JournalApplier.write(writer, batch, null);
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
            applier.awaitRoom(events);
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
            long seq = applier.appendedSeq() + 1;
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
            applier.queue(group);
            trimHeld(ids.size());
            return folded.results();
        }
    }

    /** See {@link JournalApplier#awaitApplied}. */
    void awaitApplied() {
        applier.awaitApplied();
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
                applier.releaseApplied();
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
            applier.releaseApplied();
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

    /** How many jobs are held in memory for the folds. */
    int heldJobs() {
        synchronized (ingest) {
            return held.size();
        }
    }

    /** The characters of the jobs held in memory for the folds, as {@link #MAX_HELD_CHARS} bounds them. */
    long heldChars() {
        synchronized (ingest) {
            return heldChars;
        }
    }

    /** Events acknowledged and not yet applied. */
    int pendingEvents() {
        return applier.pendingEvents();
    }

    private void hold(Held job) {
        Held before = held.put(job.job().jobId(), job);
        heldChars += job.chars() - (before == null ? 0 : before.chars());
    }

    /**
     * Forgets the least recently used applied jobs beyond the bounds (a job with events waiting is kept). It looks at as
     * many of the eldest as the bound on jobs is exceeded by, or as the group just held ({@code added} jobs), and 256
     * more for jobs still waiting among them: a group of hundreds of new jobs (a batch of a thousand events) must be
     * trimmed as far as it grew, or the held jobs grow with every such group until the heap is gone (they did, in the
     * query benchmark's load, when it looked at 256 at most).
     */
    private void trimHeld(int added) {
        if (held.size() <= MAX_HELD_JOBS && heldChars <= MAX_HELD_CHARS) {
            return;
        }
        long applied = applier.appliedSeq();
        Iterator<Held> eldest = held.values().iterator();
        int looked = 0;
        int toLook = Math.max(held.size() - MAX_HELD_JOBS, added) + 256;
        while ((held.size() > MAX_HELD_JOBS || heldChars > MAX_HELD_CHARS) && eldest.hasNext() && looked++ < toLook) {
            Held job = eldest.next();
            if (job.seq() <= applied) {
                eldest.remove();
                heldChars -= job.chars();
            }
        }
    }

    // ---- applying ----

    private void flushQuietly() {
        try {
            file.force();
        } catch (IOException | RuntimeException e) {
            LOG.warn("flushing the ingest journal to the disk failed", e);
        }
    }

    /** Stops taking groups, applies what is waiting (see {@link JournalApplier#stop}) and closes the journal. */
    @Override
    public void close() {
        synchronized (ingest) {
            closed = true;
        }
        int left = applier.stop();
        if (flusher != null) {
            flusher.shutdown();
        }
        if (left > 0) {
            flushQuietly();
            LOG.warn("{} acknowledged events stay in the ingest journal {}; the next start applies them", left, file.directory());
        }
        file.close();
    }

    private static long weight(Job job) {
        return 200 + length(job.arguments()) + length(job.payload()) + length(job.errorMessage());
    }

    static int length(String text) {
        return text == null ? 0 : text.length();
    }
}
