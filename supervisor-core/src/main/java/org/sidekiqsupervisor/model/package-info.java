/**
 * The values the supervisor's API takes and returns: events ({@link org.sidekiqsupervisor.model.JobEvent}), jobs
 * ({@link org.sidekiqsupervisor.model.Job}, {@link org.sidekiqsupervisor.model.JobDetails}), queries and their pages
 * ({@link org.sidekiqsupervisor.model.JobQuery}, {@link org.sidekiqsupervisor.model.JobPage},
 * {@link org.sidekiqsupervisor.model.PageCursor}), durations and their summaries, restarts and deletions.
 *
 * <p>The lifecycle rules of the contract live here, in one place: {@link org.sidekiqsupervisor.model.Job#first} and
 * {@link org.sidekiqsupervisor.model.Job#apply} decide a job's status, attempts and fields from its events, and every
 * store calls them, so the rules cannot drift between backends. Constructing an event or a query validates it
 * against the contract's limits ({@link org.sidekiqsupervisor.InvalidInputException} names the offending field).
 *
 * <p><b>Public API</b>: every type in this package. They are immutable records and enums with no dependency on HTTP
 * or SQL, safe to share between threads.
 */
package org.sidekiqsupervisor.model;
