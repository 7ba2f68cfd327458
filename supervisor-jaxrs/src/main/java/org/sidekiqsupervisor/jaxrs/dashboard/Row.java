package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Instant;

import org.sidekiqsupervisor.model.Job;
import org.sidekiqsupervisor.model.JobStatus;

/**
 * A row of a job table ({@code jobtable.jte}), on the job list and the delete preview.
 *
 * @param job       the job
 * @param href      its page
 * @param arguments the start of its arguments
 * @param lost      whether it is lost
 * @param took      how long it ran, how long it has been running, or empty
 */
public record Row(Job job, String href, String arguments, boolean lost, String took) {

    /** The row of {@code job}, linking under {@code root}, with a running job's time up to {@code now}. */
    static Row of(String root, Job job, boolean lost, Instant now) {
        String took = job.completedAt() != null ? Format.between(job.startedAt(), job.completedAt())
                : job.startedAt() != null && job.status() == JobStatus.STARTED ? "running " + Format.between(job.startedAt(), now)
                : "";
        return new Row(job, root + "/jobs/" + Format.encode(job.jobId()), Format.cut(job.arguments(), 160), lost, took);
    }
}
