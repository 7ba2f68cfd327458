package org.sidekiqsupervisor.sidekiq;

import java.util.List;

/**
 * What an action on Sidekiq's jobs did.
 *
 * @param done    the jids acted on (or, for a dry run, that would be), in order
 * @param skipped the jids left alone, each with why ({@code gone}: it moved meanwhile; {@code not_found})
 * @param count   how many entries were acted on: the size of {@code done}, except for clearing a queue, where
 *                {@code done} lists at most its first {@value SidekiqActions#MAX_LISTED} jids
 */
public record SidekiqActionResult(List<String> done, List<Skipped> skipped, long count) {
    public SidekiqActionResult {
        done = List.copyOf(done);
        skipped = List.copyOf(skipped);
    }

    /** A jid left alone and why. */
    public record Skipped(String jid, String reason) {
    }
}
