package org.sidekiqsupervisor.jaxrs.dashboard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.sidekiqsupervisor.sidekiq.SidekiqJob;
import org.sidekiqsupervisor.sidekiq.SidekiqPage;

/**
 * One queue's jobs a page at a time, the next to run first ({@code queue.jte}).
 *
 * @param name      the queue
 * @param size      jobs waiting in it, as text
 * @param rows      this page's jobs
 * @param firstHref the first page, or null on it
 * @param prevHref  the page before, or null on the first
 * @param nextHref  the page after, or null on the last
 */
public record QueuePage(String name, String size, List<JobRow> rows, String firstHref, String prevHref, String nextHref)
        implements DashboardPage {

    /**
     * A waiting job.
     *
     * @param position   its place in line, 1 being the next to run
     * @param jid        its jid, or null
     * @param href       its page in the supervisor, or null
     * @param args       the start of its arguments
     * @param enqueuedAt when it was pushed, or null
     * @param enqueued   how long ago that was
     */
    public record JobRow(long position, String jid, String href, String jobClass, String args, Instant enqueuedAt,
                         String enqueued) {
    }

    /** The page of {@code page}, which starts {@code offset} jobs from the next to run, each page {@code size} jobs. */
    static QueuePage of(String root, String name, SidekiqPage page, long offset, int pageSize, Instant now) {
        List<JobRow> rows = new ArrayList<>();
        long position = offset;
        for (SidekiqJob job : page.jobs()) {
            position++;
            rows.add(new JobRow(position, job.jid(), job.jid() == null ? null : root + "/jobs/" + Format.encode(job.jid()),
                    job.jobClass(), SidekiqText.args(job.args()), job.enqueuedAt(), SidekiqText.relative(job.enqueuedAt(), now)));
        }
        String base = root + "/queues/" + Format.encode(name);
        String first = offset == 0 ? null : base;
        String prev = offset == 0 ? null : offset <= pageSize ? base : base + "?cursor=" + (offset - pageSize);
        String next = page.nextCursor() == null ? null : base + "?cursor=" + Format.encode(page.nextCursor());
        return new QueuePage(name, Format.count(page.size()), rows, first, prev, next);
    }
}
