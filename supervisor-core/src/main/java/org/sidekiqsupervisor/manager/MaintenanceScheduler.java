package org.sidekiqsupervisor.manager;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.sidekiqsupervisor.model.RestartRequest;
import org.sidekiqsupervisor.model.RestartResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor's background work, on one daemon thread: the watchdog (restart lost jobs), retention (prune finished
 * jobs), the lost-job alerts, and settling restart claims left behind. Each task logs and survives its own failures, so one bad pass never stops the next.
 * Several supervisors on one store may run the same tasks: the store's restart claim lets one win each job, and prunes
 * only share the work.
 *
 * <p>Started by {@link org.sidekiqsupervisor.Supervisor}; hosts do not build one themselves.
 */
public final class MaintenanceScheduler implements AutoCloseable {
    /** How often the retention prune runs when a retention is set. */
    public static final Duration PRUNE_INTERVAL = Duration.ofHours(1);
    /** How often restart claims left behind are looked for, when Redis is configured. */
    public static final Duration CLAIM_CHECK_INTERVAL = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceScheduler.class);

    private final ScheduledExecutorService executor;

    /**
     * Starts what is asked for; with nothing to do, starts no thread.
     *
     * @param jobs             the manager whose work is scheduled
     * @param watchdogInterval how often lost jobs are restarted, or null for never
     * @param retention        how long finished jobs are kept, or null for ever
     * @param lostAlerts       how often to look for lost jobs to alert about, or null for never
     */
    public MaintenanceScheduler(JobManager jobs, Duration watchdogInterval, Duration retention, Duration lostAlerts) {
        if (watchdogInterval == null && retention == null && lostAlerts == null && !jobs.sidekiqConfigured()) {
            executor = null;
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "supervisor-maintenance");
            thread.setDaemon(true);
            return thread;
        });
        if (watchdogInterval != null) {
            every(watchdogInterval, watchdogInterval, "watchdog could not check for lost jobs", () -> {
                RestartResult result = jobs.restart(RestartRequest.lost(null));
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
                }
            });
            LOG.info("retention on: finished jobs are deleted {} days after their last event", retention.toDays());
        }
        if (jobs.sidekiqConfigured()) {
            every(CLAIM_CHECK_INTERVAL, CLAIM_CHECK_INTERVAL, "could not settle restart claims left behind", () -> {
                int settled = jobs.healStaleClaims();
                if (settled > 0) {
                    LOG.info("settled {} restart claim(s) left behind", settled);
                }
            });
        }
        if (lostAlerts != null) {
            every(lostAlerts, lostAlerts, "could not look for lost jobs to alert", jobs::alertLostJobs);
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

    /** Stops the tasks, interrupting one that runs, and waits up to 10 s for it to end. */
    @Override
    public void close() {
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
