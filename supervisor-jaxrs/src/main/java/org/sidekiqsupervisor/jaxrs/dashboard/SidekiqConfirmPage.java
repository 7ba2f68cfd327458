package org.sidekiqsupervisor.jaxrs.dashboard;

import java.util.List;
import java.util.Map;

/**
 * The step before an action on Sidekiq that cannot be undone ({@code sidekiqconfirm.jte}): what it will do, to what,
 * and the form that does it. Nothing has changed yet.
 *
 * @param heading   what the action is
 * @param message   what it will do, with the numbers (how many processes, how many jobs)
 * @param items     what it acts on, one line each (may be empty)
 * @param action    where the form posts, or null when there is nothing to act on (no form is shown)
 * @param fields    the form's hidden fields besides the CSRF token
 * @param button    the button's label
 * @param cancel    where Cancel goes
 */
public record SidekiqConfirmPage(String heading, String message, List<String> items, String action, Map<String, String> fields,
                                 String button, String cancel) implements DashboardPage {
    public SidekiqConfirmPage {
        items = List.copyOf(items);
        fields = Map.copyOf(fields);
    }
}
