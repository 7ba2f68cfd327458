package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.sidekiq.SidekiqPlace;
import org.sidekiqsupervisor.sidekiq.SidekiqUnavailableException;

/**
 * Where a job is in Sidekiq right now, as the job page shows it beside its timeline ({@code job.jte}): the place found
 * by {@link org.sidekiqsupervisor.sidekiq.SidekiqBrowser#whereIs}, or why it could not be read.
 *
 * @param place     where the job is, or null when Redis did not answer
 * @param error     why Redis could not be read, or null
 * @param queueHref the page of the queue it waits in (or was searched in), or null
 * @param relative  how long ago (or until when) {@link SidekiqPlace#at()} is, or empty
 * @param notes     what the search's budget left unread, one sentence each (only when the job was not found)
 */
public record PlaceView(SidekiqPlace place, String error, String queueHref, String relative, List<String> notes) {

    /**
     * Looks the job up in Sidekiq's Redis: null when no Redis is configured (the page then says nothing about Sidekiq),
     * the failure when Redis does not answer (the rest of the page still shows).
     *
     * @param queue the queue the supervisor knows the job by, or null
     */
    static PlaceView lookUp(JobManager manager, String root, String jid, String queue, Instant now) {
        if (!manager.sidekiqConfigured()) {
            return null;
        }
        SidekiqPlace place;
        try {
            place = manager.sidekiqRedis("where the job is in Sidekiq").browser().whereIs(jid, queue);
        } catch (SidekiqUnavailableException e) {
            return new PlaceView(null, e.getMessage(), null, "", List.of());
        }
        List<String> notes = new ArrayList<>();
        if (place.kind() == SidekiqPlace.Kind.NOWHERE) {
            if (place.queue() == null) {
                notes.add("Its queue is not known, so no queue was searched.");
            }
            for (SidekiqPlace.Unfinished unfinished : place.unfinished()) {
                notes.add(unfinished.key().startsWith("queue:")
                        ? "Not within the next " + Format.count(unfinished.searched()) + " of " + Format.count(unfinished.size())
                        + " jobs in queue " + unfinished.key().substring("queue:".length()) + "."
                        : "Not within about " + Format.count(unfinished.searched()) + " of the " + Format.count(unfinished.size())
                        + " entries of the " + unfinished.key() + " set searched.");
            }
        }
        String queueHref = place.queue() == null ? null : root + "/queues/" + Format.encode(place.queue());
        return new PlaceView(place, null, queueHref, SidekiqText.relative(place.at(), now), notes);
    }
}
