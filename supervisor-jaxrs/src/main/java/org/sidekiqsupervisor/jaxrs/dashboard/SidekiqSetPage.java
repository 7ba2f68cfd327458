package org.sidekiqsupervisor.jaxrs.dashboard;

import java.util.List;

import org.sidekiqsupervisor.sidekiq.SidekiqActions.SetAction;

/**
 * A page of one of Sidekiq's sets ({@code sidekiqset.jte}): Retries, Scheduled or Dead, 25 entries in Sidekiq's order.
 *
 * @param view       which set
 * @param href       the set's page, without filter or cursor
 * @param filter     the substring the entries hold, or null
 * @param size       how many entries the whole set holds now
 * @param rows       this page's entries
 * @param nextHref   the next page, or null at the end
 * @param firstHref  the first page (with the filter), or null on the first page
 * @param selected   the buttons acting on the ticked rows
 * @param all        the links to act on every entry (matching the filter), each confirmed first
 */
public record SidekiqSetPage(SidekiqSetView view, String href, String filter, long size, List<SidekiqSetRow> rows,
                             String nextHref, String firstHref, List<Choice> selected, List<Choice> all)
        implements DashboardPage {

    /**
     * An action offered on the page.
     *
     * @param action      its name in the form ({@code retry}, {@code delete}, ...)
     * @param label       the button's words, Sidekiq's
     * @param destructive whether it is confirmed first and looks like a danger
     * @param href        for an action on every entry, its confirmation page; null for a button of the form
     */
    public record Choice(String action, String label, boolean destructive, String href) {
        static Choice selected(SetAction action) {
            return new Choice(SidekiqSetView.wireName(action), SidekiqSetView.label(action), SidekiqSetView.destructive(action), null);
        }
    }
}
