package org.sidekiqsupervisor.sidekiq;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Sidekiq's live state, as its Web UI shows it, read from Redis.
 *
 * @param processed     {@code stat:processed}: jobs processed since stats began
 * @param failed        {@code stat:failed}
 * @param enqueued      jobs waiting in all queues
 * @param busy          jobs running in all live processes
 * @param retrySize     size of the retry set
 * @param scheduledSize size of the schedule set
 * @param deadSize      size of the dead set
 * @param queues        each queue with its size and latency
 * @param processes     each live process
 */
public record SidekiqState(long processed, long failed, long enqueued, long busy, long retrySize, long scheduledSize,
                           long deadSize, List<Queue> queues, List<Process> processes) {

    public SidekiqState {
        queues = List.copyOf(queues);
        processes = List.copyOf(processes);
    }

    /**
     * A queue.
     *
     * @param name    its name
     * @param size    jobs waiting
     * @param latency how long the oldest job has waited (zero when empty)
     */
    public record Queue(String name, long size, Duration latency) {
    }

    /**
     * A Sidekiq process with a live heartbeat.
     *
     * @param identity    Sidekiq's identity, {@code hostname:pid:nonce}
     * @param hostname    its host
     * @param pid         its process id
     * @param tag         its tag, or empty
     * @param concurrency its thread count
     * @param busy        jobs it is running
     * @param queues      the queues it works
     * @param quiet       whether it was told to stop taking jobs
     * @param startedAt   when it started, or null
     * @param lastBeat    its last heartbeat, or null
     * @param rssKb       its memory (RSS) in KiB, or -1 when not reported
     */
    public record Process(String identity, String hostname, long pid, String tag, int concurrency, int busy,
                          List<String> queues, boolean quiet, Instant startedAt, Instant lastBeat, long rssKb) {
        public Process {
            queues = List.copyOf(queues);
        }
    }
}
