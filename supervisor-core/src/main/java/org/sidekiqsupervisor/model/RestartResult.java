package org.sidekiqsupervisor.model;

import java.util.List;

/**
 * What a restart did (or, on a dry run, would do).
 *
 * @param restarted the jobs put back on Sidekiq's queues, each with the jid of its replacement
 * @param skipped   the jobs left alone, each with the reason
 * @param dryRun    whether this was only a report
 * @param more      whether the limit stopped it before every selected job was seen
 * @param error     why it stopped part-way (Redis or the store failed), or null; nothing was lost: every job
 *                  listed as restarted is on Sidekiq's queue and recorded, every other job is as it was
 */
public record RestartResult(List<Restarted> restarted, List<Skipped> skipped, boolean dryRun, boolean more, String error) {
    public RestartResult {
        restarted = List.copyOf(restarted);
        skipped = List.copyOf(skipped);
    }

    /** A job put back on its queue under a new jid ({@code newJobId} is null on a dry run). */
    public record Restarted(String jobId, String newJobId, String queue) {
    }

    /** A job left alone, and why ({@code running}, {@code queued_in_sidekiq}, {@code too_many_restarts}, ...). */
    public record Skipped(String jobId, String reason) {
    }
}
