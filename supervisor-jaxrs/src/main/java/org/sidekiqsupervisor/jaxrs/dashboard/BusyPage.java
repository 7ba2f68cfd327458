package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.sidekiqsupervisor.sidekiq.SidekiqJob;
import org.sidekiqsupervisor.sidekiq.SidekiqProcess;

/**
 * Sidekiq's Busy page ({@code busy.jte}): the status boxes, the live processes with Quiet and Stop, and what each
 * busy thread runs now.
 *
 * @param processes   how many live processes, as text
 * @param threads     their threads in all (concurrency), as text
 * @param busy        how many threads run a job, as text
 * @param utilization busy threads out of all, as a percentage
 * @param rss         their memory in all
 * @param rows        a row per process
 * @param jobs        a row per running job
 */
public record BusyPage(String processes, String threads, String busy, String utilization, String rss, List<ProcessRow> rows,
                       List<JobRow> jobs) implements DashboardPage {

    /** A process whose last heartbeat is older than this is flagged: Sidekiq beats every 5 to 10 seconds. */
    static final Duration STALE = Duration.ofSeconds(30);

    /**
     * A live process.
     *
     * @param identity   {@code hostname:pid:nonce}, which the forms send back
     * @param name       {@code hostname:pid}
     * @param tag        its tag, or null
     * @param version    the Sidekiq version it announces, or null (6.x announces none)
     * @param queues     the queues it works, from its capsules on 7.x and 8.x
     * @param startedAt  when it started, or null
     * @param started    how long ago it started
     * @param beat       its last heartbeat, or null
     * @param beatAgo    how long ago that was
     * @param stale      whether that heartbeat is older than {@link #STALE}
     */
    public record ProcessRow(String identity, String name, String tag, String version, String queues, int concurrency,
                             int busy, String rss, Instant startedAt, String started, Instant beat, String beatAgo,
                             boolean quiet, boolean stale) {
    }

    /**
     * A running job.
     *
     * @param process  the identity of the process running it
     * @param tid      the thread running it
     * @param jidHref  its page in the supervisor ({@code /sidekiq/jobs/{jid}})
     * @param queueHref its queue's page
     * @param args     the start of its arguments
     * @param runAt    when it started, or null
     * @param started  how long ago that was
     */
    public record JobRow(String process, String tid, String jid, String jidHref, String queue, String queueHref,
                         String jobClass, String args, Instant runAt, String started) {
    }

    /** The page of these live processes, linking under {@code root}, at {@code now}. */
    static BusyPage of(String root, List<SidekiqProcess> live, Instant now) {
        long threads = 0;
        long busy = 0;
        long rss = 0;
        List<ProcessRow> rows = new ArrayList<>();
        List<JobRow> jobs = new ArrayList<>();
        for (SidekiqProcess process : live) {
            threads += process.concurrency();
            busy += process.busy();
            rss += Math.max(0, process.rssKb());
            boolean stale = process.beat() == null || Duration.between(process.beat(), now).compareTo(STALE) > 0;
            rows.add(new ProcessRow(process.identity(), process.hostname() + ":" + process.pid(),
                    process.tag() == null || process.tag().isEmpty() ? null : process.tag(), process.version(),
                    String.join(", ", process.queues()), process.concurrency(), process.busy(), SidekiqText.rss(process.rssKb()),
                    process.startedAt(), SidekiqText.relative(process.startedAt(), now), process.beat(),
                    SidekiqText.relative(process.beat(), now), process.quiet(), stale));
            for (SidekiqProcess.Running running : process.jobs()) {
                SidekiqJob job = SidekiqJob.parse(running.payload() == null ? "{}" : running.payload(), null);
                jobs.add(new JobRow(process.identity(), running.tid(), running.jid(),
                        running.jid() == null ? null : root + "/jobs/" + Format.encode(running.jid()), running.queue(),
                        running.queue() == null ? null : root + "/queues/" + Format.encode(running.queue()),
                        running.jobClass(), SidekiqText.args(job.args()), running.runAt(), SidekiqText.relative(running.runAt(), now)));
            }
        }
        String utilization = threads == 0 ? "0%" : String.format(Locale.ROOT, "%.0f%%", 100.0 * busy / threads);
        return new BusyPage(Format.count(live.size()), Format.count(threads), Format.count(busy), utilization,
                SidekiqText.rss(rss), rows, jobs);
    }
}
