/**
 * What the supervisor does: record the events the middlewares report, answer what happened to jobs, find the jobs
 * Sidekiq lost and put them back on its queues safely, prune old jobs, and keep the metrics and alerts that follow
 * from all of that.
 *
 * <p><b>Public API</b>: {@link org.sidekiqsupervisor.manager.JobManager}, obtained from
 * {@link org.sidekiqsupervisor.Supervisor#jobManager()}. It keeps the original supervisor's operations
 * ({@code queuedJobs}, {@code uncompletedJobs}, {@code completedJobs}, {@code jobs}, the two duration streams and
 * {@code restartUncompletedJobs}), restart with its safety rules, and Sidekiq's live state; its
 * {@link org.sidekiqsupervisor.manager.JobQueries} answers a page at a time (job listings with their lost marks, one
 * job, durations, counts, recent activity) and is the one place that decides which jobs are lost; its
 * {@link org.sidekiqsupervisor.manager.Maintenance} does retention, deletes and health checks.
 *
 * <p><b>Internal</b>: {@link org.sidekiqsupervisor.manager.MaintenanceScheduler}, public only so that
 * {@code Supervisor} can start it (the looks at Sidekiq, the watchdog and retention on two background threads).
 * Package-private, may change without notice: group commit, which lets concurrent callers' events share one transaction
 * and answers each caller only after its batch committed; the lost-job finder and restarter (looks at Sidekiq recorded
 * in the store; claim in the store, push to Redis, record the new job, then delete the original); and the Micrometer
 * metrics.
 */
package org.sidekiqsupervisor.manager;
