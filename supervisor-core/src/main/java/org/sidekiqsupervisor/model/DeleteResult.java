package org.sidekiqsupervisor.model;

/**
 * What a delete on a filter did.
 *
 * @param deleted how many jobs (with their history) were deleted
 * @param skipped how many matched but had moved on (a newer event, a restart under way) and were kept
 * @param more    whether more jobs match than this call deleted: call again to go on
 */
public record DeleteResult(long deleted, long skipped, boolean more) {
}
