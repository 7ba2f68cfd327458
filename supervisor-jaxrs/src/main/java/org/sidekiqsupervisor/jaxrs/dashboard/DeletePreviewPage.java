package org.sidekiqsupervisor.jaxrs.dashboard;

import java.util.List;

/**
 * What a delete on these filters would remove, with the form to confirm it ({@code delete.jte}).
 *
 * @param filters the filters to delete on
 * @param rows    the first jobs they match
 * @param more    whether more jobs match than are shown
 * @param limit   how many jobs one confirmation deletes at most, as text
 */
public record DeletePreviewPage(Filters filters, List<Row> rows, boolean more, String limit) implements DashboardPage {
}
