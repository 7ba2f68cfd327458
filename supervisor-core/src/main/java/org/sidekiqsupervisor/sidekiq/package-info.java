/**
 * Sidekiq's side, read from and written to its own Redis: every job Sidekiq holds (running in a live process, queued,
 * in a super_fetch private list, in the retry, schedule or dead set), read in bounded, paced looks; pushing a job
 * exactly as Sidekiq's client does; and the live state its Web UI shows.
 * Reads the layouts of Sidekiq 6.x, 7.x and 8.x; writes the payload format of the version the live processes announce
 * in their heartbeat, else of the configured one.
 *
 * <p><b>Public API</b>: {@link org.sidekiqsupervisor.sidekiq.SidekiqVersion} and
 * {@link org.sidekiqsupervisor.sidekiq.SidekiqSettings} (how lost jobs are judged and restarted),
 * {@link org.sidekiqsupervisor.sidekiq.SidekiqState} (what {@code JobManager#sidekiqState()} returns), and the two
 * exceptions a caller may meet: {@link org.sidekiqsupervisor.sidekiq.SidekiqNotConfiguredException} (no Redis
 * configured) and {@link org.sidekiqsupervisor.sidekiq.SidekiqUnavailableException} (Redis did not answer).
 *
 * <p><b>Internal</b> (public only for the {@code manager} package; may change without notice):
 * {@link org.sidekiqsupervisor.sidekiq.SidekiqRedis}, the Redis client the supervisor builds from its settings,
 * {@link org.sidekiqsupervisor.sidekiq.SidekiqPayloads}, Sidekiq's JSON both ways,
 * {@link org.sidekiqsupervisor.sidekiq.HeldJobs}, what one look found, and
 * {@link org.sidekiqsupervisor.sidekiq.JobLocation}.
 */
package org.sidekiqsupervisor.sidekiq;
