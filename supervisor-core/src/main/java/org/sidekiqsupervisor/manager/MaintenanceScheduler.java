package org.sidekiqsupervisor.manager;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.sidekiqsupervisor.model.LookSummary;
import org.sidekiqsupervisor.model.RestartRequest;
import org.sidekiqsupervisor.model.RestartResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor's background work, on two daemon threads: the looks at Sidekiq (which find lost jobs, alert them and
 * settle restart claims left behind), the watchdog (restart lost jobs) and retention (prune finished jobs, and the
 * overview's rollups, whose ended buckets' shards it also folds). Each task logs and survives its own failures, so one bad pass never stops the next.
 * Several supervisors on one store may run the same tasks: the store's restart claim lets one win each job, and prunes
 * only share the work.
 *
 * <p>Started by {@link org.sidekiqsupervisor.Supervisor}; hosts do not build one themselves.
 */
public final class MaintenanceScheduler implements AutoCloseable {
    /** How often the retention prunes (of jobs, and of rollups) run when a retention is set. */
    public static final Duration PRUNE_INTERVAL = Duration.ofHours(1);
    /** How long the scheduler waits between the end of one look at Sidekiq and the start of the next, by default. */
    public static final Duration LOOK_INTERVAL = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceScheduler.class);

    private final ScheduledExecutorService executor;

    /**
     * Starts what is asked for; with nothing to do, starts no thread.
     *
     * @param jobs             the manager whose work is scheduled
     * @param watchdogInterval how often lost jobs are restarted, or null for never
     * @param retention        how long finished jobs are kept, or null for ever
     * @param rollupRetention  how long the overview's rollups are kept, or null for ever
     * @param lookInterval     how long to wait between looks at Sidekiq, or null for no looks
     */
    public MaintenanceScheduler(JobManager jobs, Duration watchdogInterval, Duration retention, Duration rollupRetention,
                                Duration lookInterval) {
        if (watchdogInterval == null && retention == null && rollupRetention == null && lookInterval == null) {
            executor = null;
            return;
        }
        // Two threads: a long look (a big backlog) or prune does not hold up the other tasks.
        executor = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "supervisor-maintenance");
            thread.setDaemon(true);
            return thread;
        });
        if (watchdogInterval != null) {
            every(watchdogInterval, watchdogInterval, "watchdog could not check for lost jobs", () -> {
                RestartResult result = jobs.restart(RestartRequest.lost(null), "watchdog");
                if (!result.restarted().isEmpty() || result.error() != null) {
                    LOG.info("watchdog restarted {} lost job(s){}", result.restarted().size(),
                            result.error() == null ? "" : "; stopped: " + result.error());
                }
            });
            LOG.info("watchdog on: restarting lost jobs every {} s", watchdogInterval.toSeconds());
        }
        if (retention != null) {
            every(Duration.ZERO, PRUNE_INTERVAL, "retention could not prune", () -> {
                long deleted = jobs.maintenance().prune(retention);
                if (deleted > 0) {
                    LOG.info("retention: deleted {} finished job(s) older than {} days", deleted, retention.toDays());
                    // A quiet moment for the store's file: give back what the deletes left (H2 only; bounded in time).
                    long started = System.nanoTime();
                    long freed = jobs.maintenance().reclaimSpace();
                    if (freed >= 0) {
                        LOG.info("retention: the store's file shrank by {} MB in {} ms", freed / (1024 * 1024),
                                (System.nanoTime() - started) / 1_000_000);
                    }
                }
            });
            LOG.info("retention on: finished jobs are deleted {} days after their last event", retention.toDays());
        }
        if (rollupRetention != null) {
            every(Duration.ZERO, PRUNE_INTERVAL, "rollup retention could not prune", () -> {
                long buckets = jobs.maintenance().pruneRollups(rollupRetention);
                if (buckets > 0) {
                    LOG.debug("rollup retention: forgot {} time bucket(s) older than {} days", buckets, rollupRetention.toDays());
                }
                // In the same quiet hourly pass: the ended buckets' shards folded into one row each (and anything pending).
                long folded = jobs.maintenance().foldRollups();
                if (folded > 0) {
                    LOG.debug("rollups: folded {} pending row(s) and ended time bucket(s)", folded);
                }
            });
        }
        if (lookInterval != null) {
            every(Duration.ZERO, lookInterval, "could not look at Sidekiq", () -> {
                LookSummary look = jobs.lookAtSidekiq();
                LOG.debug("looked at Sidekiq in {} ms: {} entries read, {} jobs held, {} missing, {} newly lost", look.took().toMillis(),
                        look.entriesRead(), look.held(), look.missing(), look.newlyLost());
                if (look.newlyLost() > 0) {
                    LOG.warn("found {} lost job(s)", look.newlyLost());
                }
                if (look.claimsSettled() > 0) {
                    LOG.info("settled {} restart claim(s) left behind", look.claimsSettled());
                }
            });
        }
    }

    private void every(Duration first, Duration interval, String failure, Runnable task) {
        executor.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("{}: {}", failure, e.getMessage());
            }
        }, first.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the tasks: lets one that runs end by itself for up to 10 s, then interrupts it and waits up to 10 s more.
     * Not at once: a thread interrupted while H2 writes its file closes the file under the store (Java closes a channel
     * whose user is interrupted), which failed the task's write and the store's close after it.
     */
    @Override
    public void close() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
                executor.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
