package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.sidekiqsupervisor.sidekiq.SidekiqEntryKey;
import org.sidekiqsupervisor.sidekiq.SidekiqJob;

/**
 * A row of a Sidekiq set's table ({@code sidekiqset.jte}), with Sidekiq's Web UI's columns.
 *
 * @param key        the entry's {@code <score>-<jid>}, what its checkbox posts; null for an entry with no jid
 * @param entryHref  the entry's page, or null without a key
 * @param jid        the job's id, or null
 * @param jobHref    the supervisor's page of the job, or null without a jid
 * @param at         the set's score as a time (next retry, when scheduled, when it died)
 * @param retryCount the retries made so far, or null
 * @param queue      the queue it goes back to, or null
 * @param queueHref  that queue's page, or null
 * @param jobClass   the class shown (an ActiveJob's own class rather than its wrapper)
 * @param tags       the job's tags ({@code sidekiq_options tags:})
 * @param arguments  the arguments, cut at {@value #ARGUMENTS_SHOWN} characters
 * @param error      {@code ErrorClass: message}, cut at {@value #ERROR_SHOWN} characters; null when none
 */
public record SidekiqSetRow(String key, String entryHref, String jid, String jobHref, SidekiqTime at, Integer retryCount,
                            String queue, String queueHref, String jobClass, List<String> tags, String arguments,
                            String error) {
    /** As Sidekiq's Web UI cuts them. */
    static final int ARGUMENTS_SHOWN = 100;
    static final int ERROR_SHOWN = 200;

    /** The row of {@code job}, an entry of {@code view}'s set, with links under {@code root}. */
    static SidekiqSetRow of(String root, SidekiqSetView view, SidekiqJob job, Instant now) {
        SidekiqEntryKey key = SidekiqEntryKey.of(job);
        String jid = job.jid();
        String queue = job.queue();
        String error = job.errorClass() == null && job.errorMessage() == null ? null
                : Format.cut((job.errorClass() == null ? "" : job.errorClass() + ": ")
                + (job.errorMessage() == null ? "" : job.errorMessage()), ERROR_SHOWN);
        return new SidekiqSetRow(key == null ? null : key.toString(),
                key == null ? null : root + "/" + view.path() + "/" + Format.encode(key.toString()),
                jid, jid == null ? null : root + "/jobs/" + Format.encode(jid), SidekiqTime.of(job.at(), now),
                job.retryCount(), queue, queue == null ? null : root + "/queues/" + Format.encode(queue), jobClass(job),
                tags(job), Format.cut(arguments(job), ARGUMENTS_SHOWN), error);
    }

    /** The class Sidekiq's Web UI shows: an ActiveJob's own class ({@code wrapped}) rather than its adapter's. */
    static String jobClass(SidekiqJob job) {
        JsonNode wrapped = job.hash().get("wrapped");
        return wrapped != null && wrapped.isTextual() ? wrapped.textValue() : job.jobClass();
    }

    /** The arguments as a list, the way Sidekiq's Web UI prints them ({@code 72204, "bob"}); an unreadable entry as stored. */
    static String arguments(SidekiqJob job) {
        if (job.hash().isMissingNode()) {
            return job.raw();
        }
        JsonNode args = job.args();
        if (args == null) {
            return "";
        }
        if (!args.isArray()) {
            return args.toString();
        }
        List<String> each = new ArrayList<>();
        args.forEach(arg -> each.add(arg.toString()));
        return String.join(", ", each);
    }

    private static List<String> tags(SidekiqJob job) {
        List<String> tags = new ArrayList<>();
        job.hash().path("tags").forEach(tag -> tags.add(tag.asText()));
        return tags;
    }
}
