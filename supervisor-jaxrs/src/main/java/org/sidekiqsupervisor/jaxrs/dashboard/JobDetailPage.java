package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobDetails;
import org.sidekiqsupervisor.model.JobEventRecord;

/**
 * One job's page ({@code job.jte}): its fields, timeline and arguments, or a note that it is not known (404).
 *
 * @param jobId      the job id asked for
 * @param details    the job and its events, or null when the supervisor has no record of it
 * @param steps      its timeline, or null when unknown
 * @param arguments  its arguments indented for reading, or null when unknown
 * @param lost       whether it is lost
 * @param canRestart whether to offer restarting it
 * @param waited     queued to started, or empty; null when unknown
 * @param ran        started to completed, or empty; null when unknown
 * @param total      queued to completed, or empty; null when unknown
 * @param sidekiq    where the job is in Sidekiq right now, or null when no Redis is configured
 */
public record JobDetailPage(String jobId, JobDetails details, List<Step> steps, String arguments, boolean lost,
                            boolean canRestart, String waited, String ran, String total, PlaceView sidekiq) implements DashboardPage {

    /**
     * One event of a job's timeline, with the time since the one before.
     *
     * @param event         the event
     * @param sincePrevious {@code +} and the time since the previous event, or empty for the first
     */
    public record Step(JobEventRecord event, String sincePrevious) {
    }

    /** The page of a job the supervisor has no record of (Sidekiq may still hold it). */
    static JobDetailPage missing(String jobId, PlaceView sidekiq) {
        return new JobDetailPage(jobId, null, null, null, false, false, null, null, null, sidekiq);
    }

    /** The page of a known job. */
    static JobDetailPage of(String jobId, JobDetails details, boolean lost, boolean canRestart, PlaceView sidekiq) {
        Job job = details.job();
        List<Step> steps = new ArrayList<>();
        Instant previous = null;
        for (JobEventRecord event : details.events()) {
            steps.add(new Step(event, previous == null ? "" : "+" + Format.between(previous, event.at())));
            previous = event.at();
        }
        return new JobDetailPage(jobId, details, steps, Format.prettyJson(job.arguments()), lost, canRestart,
                Format.between(job.queuedAt(), job.startedAt()), Format.between(job.startedAt(), job.completedAt()),
                Format.between(job.queuedAt(), job.completedAt()), sidekiq);
    }

    /** 404 when the job is not known. */
    @Override
    public int status() {
        return details == null ? 404 : 200;
    }
}
