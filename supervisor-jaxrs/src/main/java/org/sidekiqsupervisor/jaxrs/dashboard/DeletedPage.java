package org.sidekiqsupervisor.jaxrs.dashboard;

import org.sidekiqsupervisor.model.DeleteResult;

/**
 * What a delete removed ({@code deleted.jte}).
 *
 * @param filters the filters deleted on
 * @param result  how many jobs were deleted or kept, and whether more match
 */
public record DeletedPage(Filters filters, DeleteResult result) implements DashboardPage {
}
