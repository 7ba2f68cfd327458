package org.sidekiqsupervisor.jaxrs.dashboard;

import java.util.List;

/**
 * The job list ({@code jobs.jte}).
 *
 * @param filters   the filters the URL carries
 * @param tabs      a tab per status, with its count
 * @param rows      the jobs on this page
 * @param nextHref  the next (older) page, or null on the last one
 * @param firstHref the first (newest) page, or null on the first one
 */
public record JobListPage(Filters filters, List<Tab> tabs, List<Row> rows, String nextHref, String firstHref)
        implements DashboardPage {

    /**
     * A tab of the job list.
     *
     * @param label   the status shown
     * @param count   how many jobs have it, as text, or null when not counted
     * @param href    the list with this status and the other filters kept
     * @param current whether this is the status shown now
     */
    public record Tab(String label, String count, String href, boolean current) {
    }
}
