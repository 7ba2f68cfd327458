package org.sidekiqsupervisor.sidekiq;

import java.time.Instant;
import java.util.List;

/**
 * A Sidekiq process with a live heartbeat and what it is running, as the Busy page of Sidekiq's Web UI shows it.
 *
 * @param identity    {@code hostname:pid:nonce}
 * @param version     the Sidekiq version it announces (7.x and 8.x), or null (6.x)
 * @param queues      the queues it works (8.0.9+ from its capsules)
 * @param rssKb       its memory in KiB, or -1
 * @param startedAt   when it started, or null
 * @param beat        its latest heartbeat, or null
 * @param jobs        its running jobs
 */
public record SidekiqProcess(String identity, String hostname, long pid, String tag, String version, List<String> queues,
                             int concurrency, int busy, boolean quiet, Instant beat, long rssKb, Instant startedAt,
                             List<Running> jobs) {
    public SidekiqProcess {
        queues = List.copyOf(queues);
        jobs = List.copyOf(jobs);
    }

    /** A running job: the thread, the job, and when it started. */
    public record Running(String tid, String jid, String jobClass, String queue, Instant runAt, String payload) {
    }
}
