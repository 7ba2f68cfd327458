package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.sidekiqsupervisor.sidekiq.SidekiqProcess;
import org.sidekiqsupervisor.sidekiq.SidekiqState;

/**
 * Sidekiq's Queues page ({@code queues.jte}): each queue with its size and latency, a warning where no process takes
 * jobs from it (Sidekiq's own page has none), and Clear.
 *
 * @param rows a row per queue, by name
 */
public record QueuesPage(List<QueueRow> rows) implements DashboardPage {

    /**
     * A queue.
     *
     * @param name       its name
     * @param href       its page
     * @param size       jobs waiting, as text
     * @param latency    how long the oldest has waited, as Sidekiq shows it
     * @param unattended whether no live process that is not quiet takes jobs from it
     */
    public record QueueRow(String name, String href, String size, String latency, boolean unattended) {
    }

    /** The page of these queues, with the live processes that take jobs from them. */
    static QueuesPage of(String root, SidekiqState state, List<SidekiqProcess> live, Instant now) {
        Set<String> attended = new HashSet<>();
        // A quiet process fetches no more jobs: its queues are not worked any more.
        live.stream().filter(process -> !process.quiet()).forEach(process -> attended.addAll(process.queues()));
        return new QueuesPage(state.queues().stream().map(queue -> new QueueRow(queue.name(),
                root + "/queues/" + Format.encode(queue.name()), Format.count(queue.size()),
                SidekiqText.latency(queue.latency(), now), !attended.contains(queue.name()))).toList());
    }
}
