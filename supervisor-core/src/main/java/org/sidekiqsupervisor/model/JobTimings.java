package org.sidekiqsupervisor.model;

import java.time.Duration;

/**
 * The wait and run times an applied event tells, by one rule that the metrics and the store's rollups share: a
 * {@code started} event that became its job's last start tells the wait (queued → that start), and a {@code complete}
 * event that left its job complete tells the run (last start → complete). A figure is told only when both its times are
 * known and the later is not before the earlier (clocks that disagree give no figure).
 */
public final class JobTimings {
    private JobTimings() {
    }

    /**
     * The wait {@code event} tells, or null.
     *
     * @param event an event that was applied (not a duplicate)
     * @param job   its job as that event left it
     */
    public static Duration waitToldBy(JobEvent event, Job job) {
        if (event.status() == JobStatus.STARTED && job.queuedAt() != null && event.at().equals(job.startedAt())
                && !job.startedAt().isBefore(job.queuedAt())) {
            return Duration.between(job.queuedAt(), job.startedAt());
        }
        return null;
    }

    /**
     * The run {@code event} tells, or null.
     *
     * @param event an event that was applied (not a duplicate)
     * @param job   its job as that event left it
     */
    public static Duration runToldBy(JobEvent event, Job job) {
        if (event.status() == JobStatus.COMPLETE && job.status() == JobStatus.COMPLETE && job.startedAt() != null
                && job.completedAt() != null && !job.completedAt().isBefore(job.startedAt())) {
            return Duration.between(job.startedAt(), job.completedAt());
        }
        return null;
    }
}
