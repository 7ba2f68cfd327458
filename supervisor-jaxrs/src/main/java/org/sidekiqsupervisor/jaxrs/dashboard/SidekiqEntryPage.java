package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sidekiqsupervisor.sidekiq.SidekiqJob;

/**
 * One entry of a Sidekiq set ({@code sidekiqentry.jte}), as Sidekiq's Web UI's entry page shows it: the job, then the
 * error with its backtrace, and the buttons for it.
 *
 * @param view         which set
 * @param setHref      the set's page
 * @param row          the entry as its row shows it (key, links, times, class, queue, retry count)
 * @param arguments    the arguments in full, indented JSON
 * @param createdAt    when the job was created, or null
 * @param enqueuedAt   when it was last enqueued, or null
 * @param lastRetry    when it was last retried, or when it first failed ("Originally Failed"), or null
 * @param retried      whether {@code lastRetry} is a retry (else the first failure)
 * @param errorClass   the error's class, or null
 * @param errorMessage the error's message, or null
 * @param backtrace    the stored backtrace, decoded; empty when the job keeps none
 * @param extras       the payload's other keys as indented JSON, or null when there are none
 * @param actions      the buttons for this entry
 */
public record SidekiqEntryPage(SidekiqSetView view, String setHref, SidekiqSetRow row, String arguments,
                               SidekiqTime createdAt, SidekiqTime enqueuedAt, SidekiqTime lastRetry, boolean retried,
                               String errorClass, String errorMessage, List<String> backtrace, String extras,
                               List<SidekiqSetPage.Choice> actions) implements DashboardPage {
    /** The keys the page shows in their own rows; any other goes under Extras. */
    private static final Set<String> SHOWN = Set.of("retry", "queue", "args", "class", "wrapped", "jid", "created_at",
            "enqueued_at", "error_message", "error_class", "failed_at", "retried_at", "retry_count", "error_backtrace",
            "tags", "backtrace");

    /** The page of {@code job}, an entry of {@code view}'s set, with links under {@code root}. */
    static SidekiqEntryPage of(String root, SidekiqSetView view, SidekiqJob job, Instant now) {
        ObjectNode extras = null;
        if (job.hash().isObject()) {
            extras = ((ObjectNode) job.hash()).deepCopy();
            extras.remove(SHOWN);
        }
        Instant lastRetry = job.retriedAt() != null ? job.retriedAt() : job.failedAt();
        String arguments = job.args() == null ? SidekiqSetRow.arguments(job) : Format.prettyJson(job.args().toString());
        return new SidekiqEntryPage(view, root + "/" + view.path(), SidekiqSetRow.of(root, view, job, now), arguments,
                SidekiqTime.of(job.createdAt(), now), SidekiqTime.of(job.enqueuedAt(), now), SidekiqTime.of(lastRetry, now),
                job.retriedAt() != null, job.errorClass(), job.errorMessage(), job.errorBacktrace(),
                extras == null || extras.isEmpty() ? null : Format.prettyJson(extras.toString()),
                view.actions().stream().map(SidekiqSetPage.Choice::selected).toList());
    }
}
