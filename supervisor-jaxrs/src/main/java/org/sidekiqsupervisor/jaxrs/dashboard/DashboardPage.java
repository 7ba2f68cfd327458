package org.sidekiqsupervisor.jaxrs.dashboard;

/**
 * A page's view model: everything its template shows besides the {@link Layout}. Each template declares
 * {@code @param Layout layout} and {@code @param <its record> page}.
 */
public sealed interface DashboardPage
        permits OverviewPage, JobListPage, JobDetailPage, RestartPage, DeletePreviewPage, DeletedPage, ProblemPage,
        AuditPage, BusyPage, QueuesPage, QueuePage, SidekiqConfirmPage, SidekiqDonePage, SidekiqSetPage, SidekiqEntryPage,
        SidekiqSetConfirmPage, SidekiqActedPage {

    /** The HTTP status the page is sent with. */
    default int status() {
        return 200;
    }
}
