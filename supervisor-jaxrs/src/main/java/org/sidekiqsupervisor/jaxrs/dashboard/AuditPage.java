package org.sidekiqsupervisor.jaxrs.dashboard;

import java.util.List;

import org.sidekiqsupervisor.model.AuditEntry;

/**
 * The audit page: every action taken, newest first, a page at a time.
 *
 * @param entries   this page's entries
 * @param nextHref  the link to the next (older) page, or null on the last
 * @param firstHref the link back to the newest entries, or null on the first page
 */
public record AuditPage(List<AuditEntry> entries, String nextHref, String firstHref) implements DashboardPage {
}
